import QtQuick

// The unlocked incoming-call banner: slides down; tap expands to full screen.
Item {
    id: banner
    required property var phone
    property bool shown: false
    signal expand()
    height: 84
    visible: card.y > -height
    Rectangle {
        id: card
        objectName: "incomingBanner"
        width: parent.width; height: parent.height; radius: 24
        y: banner.shown ? 0 : -banner.height - 60
        color: "#1C1C1E"
        Behavior on y { NumberAnimation { duration: 420; easing.type: Easing.OutBack; easing.overshoot: 1.1 } }
        MouseArea { objectName: "bannerBody"; anchors.fill: parent; onClicked: banner.expand() }
        Rectangle {
            x: 12; anchors.verticalCenter: parent.verticalCenter
            width: 50; height: 50; radius: 25; color: "#636366"
            Text { anchors.centerIn: parent; visible: text !== ""; text: banner.phone.incomingCall.initials || ""; color: "white"; font.family: Theme.font; font.pixelSize: 20; font.weight: Font.DemiBold }
            Icon { anchors.centerIn: parent; anchors.verticalCenterOffset: 4; visible: !banner.phone.incomingCall.initials; width: 34; height: 34; name: "person"; color: "#D1D1D6" }
        }
        Column {
            x: 74; anchors.verticalCenter: parent.verticalCenter; width: parent.width - 190
            Text { objectName: "bannerName"; width: parent.width; text: banner.phone.incomingCall.name || ""; color: "white"; elide: Text.ElideRight
                font.family: Theme.font; font.pixelSize: 17; font.weight: Font.DemiBold }
            Text { width: parent.width; text: banner.phone.incomingCall.statusText || ""; color: Qt.rgba(1, 1, 1, 0.6); font.family: Theme.font; font.pixelSize: 14 }
        }
        CircleButton { objectName: "bannerDecline"; anchors.right: accept.left; anchors.rightMargin: 14; anchors.verticalCenter: parent.verticalCenter
            diameter: 46; iconSize: 24; icon: "phone"; iconRotation: 135; fill: Theme.red; pressedFill: "#FF8A82"
            onClicked: banner.phone.decline(banner.phone.incomingCall.uuid) }
        CircleButton { id: accept; objectName: "bannerAccept"; anchors.right: parent.right; anchors.rightMargin: 14; anchors.verticalCenter: parent.verticalCenter
            diameter: 46; iconSize: 24; icon: "phone"; fill: Theme.green; pressedFill: "#7BD88F"
            onClicked: banner.phone.answer(banner.phone.incomingCall.uuid) }
    }
}
