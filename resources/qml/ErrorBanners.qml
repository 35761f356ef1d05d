import QtQuick

// Errors from the phone (registration, call failures, audio) as dismissable cards.
Column {
    id: col
    required property var phone
    spacing: 8
    Repeater {
        model: col.phone.errors
        Rectangle {
            objectName: "errorBanner_" + index
            width: col.width
            height: body.implicitHeight + 24
            radius: 16
            color: Qt.rgba(1, 1, 1, 0.97)
            border.color: Qt.rgba(0, 0, 0, 0.08)
            Rectangle {
                id: badge
                x: 12; y: 12
                width: 26; height: 26; radius: 13
                color: Theme.red
                Text { anchors.centerIn: parent; text: "!"; color: "white"; font.family: Theme.font; font.pixelSize: 17; font.weight: Font.Bold }
            }
            Column {
                id: body
                x: 48; y: 12
                width: parent.width - 90
                spacing: 2
                Text { objectName: "errorTitle"; text: modelData.title; width: parent.width; font.family: Theme.font; font.pixelSize: 15; font.weight: Font.DemiBold; elide: Text.ElideRight }
                Text { objectName: "errorDetail"; text: modelData.detail; width: parent.width; wrapMode: Text.Wrap; color: "#3C3C43"; font.family: Theme.font; font.pixelSize: 13; visible: text !== "" }
            }
            Icon {
                objectName: "errorDismiss_" + index
                anchors.right: parent.right; anchors.rightMargin: 14; y: 14
                width: 18; height: 18; name: "xmark"; color: Theme.gray
                MouseArea { anchors.fill: parent; anchors.margins: -8; onClicked: col.phone.dismissError(modelData.id) }
            }
        }
    }
}
