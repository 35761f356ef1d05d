import QtQuick

// The (i) page of a Recents row: who, and each call's time, duration and status.
Rectangle {
    id: page
    required property var phone
    property var entry: ({})
    property var calls: []
    signal back()
    color: Theme.grouped

    Row {
        objectName: "detailsBack"
        x: 8; y: 58; spacing: 2
        Icon { width: 22; height: 22; name: "chevron.left"; color: Theme.blue; strokeWidth: 2.6 }
        Text { text: "Recents"; color: Theme.blue; font.family: Theme.font; font.pixelSize: 17 }
        MouseArea { width: 110; height: 30; onClicked: page.back() }
    }
    Rectangle {
        id: avatar
        anchors.horizontalCenter: parent.horizontalCenter; y: 100
        width: 96; height: 96; radius: 48
        gradient: Gradient { GradientStop { position: 0; color: "#A5A9B3" } GradientStop { position: 1; color: "#858993" } }
        Icon { anchors.centerIn: parent; anchors.verticalCenterOffset: 6; width: 64; height: 64; name: "person"; color: "white" }
    }
    Text {
        id: name
        objectName: "detailsName"
        anchors.horizontalCenter: parent.horizontalCenter; anchors.top: avatar.bottom; anchors.topMargin: 12
        text: page.entry.displayName || page.phone.formatNumber(page.entry.handle || "")
        font.family: Theme.font; font.pixelSize: 28; font.weight: Font.Normal
    }
    CircleButton {
        objectName: "detailsCall"
        anchors.horizontalCenter: parent.horizontalCenter; anchors.top: name.bottom; anchors.topMargin: 14
        diameter: 56; iconSize: 24; icon: "phone"; label: "call"
        fill: "white"; pressedFill: Theme.gray5; iconColor: Theme.blue; labelColor: Theme.blue
        onClicked: page.phone.dial(page.entry.handle)
    }
    Rectangle {
        id: callsCard
        objectName: "detailsCalls"
        x: 16; width: parent.width - 32; y: 370
        height: callsCol.height + 20
        radius: 12; color: "white"
        Column {
            id: callsCol
            x: 16; y: 10; width: parent.width - 32; spacing: 8
            Text { text: page.phone.formatNumber(page.entry.handle || ""); color: Theme.blue; font.family: Theme.font; font.pixelSize: 17 }
            Rectangle { width: parent.width; height: 0.5; color: Theme.separator }
            Repeater {
                model: page.calls
                Item {
                    objectName: "detailsCall_" + index
                    width: callsCol.width; height: 22
                    Text { text: modelData.time; font.family: Theme.font; font.pixelSize: 15; font.weight: Font.DemiBold }
                    Text { x: 90; text: modelData.status; color: modelData.status.indexOf("Missed") >= 0 ? Theme.red : "black"; font.family: Theme.font; font.pixelSize: 15 }
                    Text { anchors.right: parent.right; text: modelData.duration; color: Theme.secondary; font.family: Theme.font; font.pixelSize: 15 }
                }
            }
        }
    }
    // iOS: "Block this Caller" (red) / "Unblock this Caller" (blue), phone numbers only.
    Rectangle {
        id: blockRow
        objectName: "detailsBlock"
        readonly property bool blocked: page.phone.blockRevision >= 0 && page.phone.isBlocked(page.entry.handle || "")
        readonly property bool isNumber: /^[+]?[0-9 ().-]+$/.test(page.entry.handle || "")
        visible: isNumber
        x: 16; width: parent.width - 32; height: 44
        anchors.top: callsCard.bottom; anchors.topMargin: 24
        radius: 12; color: blockArea.pressed ? Theme.gray5 : "white"
        Text {
            objectName: "detailsBlockText"
            x: 16; anchors.verticalCenter: parent.verticalCenter
            text: blockRow.blocked ? "Unblock this Caller" : "Block this Caller"
            color: blockRow.blocked ? Theme.blue : Theme.red
            font.family: Theme.font; font.pixelSize: 17
        }
        MouseArea { id: blockArea; anchors.fill: parent; onClicked: page.phone.setBlocked(page.entry.handle, !blockRow.blocked) }
    }
}
