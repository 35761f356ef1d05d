import QtQuick

// The people in a merged call; each can be ended on its own or taken aside (Private).
Rectangle {
    id: page
    objectName: "conferenceList"
    required property var phone
    signal close()
    color: Theme.callBottom
    MouseArea { anchors.fill: parent }
    Text { x: 16; y: 62; text: "Conference"; color: "white"; font.family: Theme.font; font.pixelSize: 17; font.weight: Font.DemiBold }
    Text { anchors.right: parent.right; anchors.rightMargin: 16; y: 62; text: "Done"; color: Theme.blue; font.family: Theme.font; font.pixelSize: 17; font.weight: Font.DemiBold
        MouseArea { objectName: "conferenceDone"; anchors.fill: parent; anchors.margins: -8; onClicked: page.close() } }
    Column {
        x: 16; y: 110; width: parent.width - 32
        Repeater {
            model: page.phone.conferenceCalls
            Item {
                objectName: "conferenceRow_" + index
                width: parent.width; height: 60
                Column { anchors.verticalCenter: parent.verticalCenter
                    Text { text: modelData.name; color: "white"; font.family: Theme.font; font.pixelSize: 17; font.weight: Font.DemiBold }
                    Text { text: modelData.number; color: Qt.rgba(1, 1, 1, 0.6); font.family: Theme.font; font.pixelSize: 13 } }
                Rectangle { objectName: "conferencePrivate_" + index; anchors.right: endPill.left; anchors.rightMargin: 10; anchors.verticalCenter: parent.verticalCenter
                    width: 76; height: 30; radius: 15; color: privateArea.pressed ? Theme.glassPressed : Theme.glass
                    Text { anchors.centerIn: parent; text: "Private"; color: "white"; font.family: Theme.font; font.pixelSize: 15; font.weight: Font.DemiBold }
                    MouseArea { id: privateArea; anchors.fill: parent; onClicked: { const member = modelData.uuid; const phone = page.phone; page.close(); phone.unmerge(member) } } }
                Rectangle { id: endPill; objectName: "conferenceEnd_" + index; anchors.right: parent.right; anchors.verticalCenter: parent.verticalCenter
                    width: 64; height: 30; radius: 15; color: Theme.red
                    Text { anchors.centerIn: parent; text: "End"; color: "white"; font.family: Theme.font; font.pixelSize: 15; font.weight: Font.DemiBold }
                    MouseArea { anchors.fill: parent; onClicked: page.phone.end(modelData.uuid) } }
                Rectangle { anchors.bottom: parent.bottom; width: parent.width; height: 0.5; color: Qt.rgba(1, 1, 1, 0.2) }
            }
        }
    }
}
