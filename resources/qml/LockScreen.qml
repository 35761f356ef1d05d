import QtQuick

// The lock screen: wallpaper, date and big clock; swipe up (or the lock icon) unlocks.
Rectangle {
    id: lock
    required property var phone
    gradient: Gradient {
        GradientStop { position: 0; color: "#1E3A8A" }
        GradientStop { position: 0.55; color: "#6D28D9" }
        GradientStop { position: 1; color: "#DB2777" }
    }
    Icon { anchors.horizontalCenter: parent.horizontalCenter; y: 62; width: 22; height: 22; name: "lock"; color: "white" }
    Text {
        anchors.horizontalCenter: parent.horizontalCenter
        y: 98
        text: lock.phone.dateText
        color: "white"; font.family: Theme.font; font.pixelSize: 21; font.weight: Font.Medium
    }
    Text {
        objectName: "lockClock"
        anchors.horizontalCenter: parent.horizontalCenter
        y: 118
        text: lock.phone.timeText
        color: "white"; font.family: Theme.font; font.pixelSize: 96; font.weight: Font.DemiBold
    }
    Text {
        anchors.horizontalCenter: parent.horizontalCenter
        anchors.bottom: indicator.top; anchors.bottomMargin: 18
        text: "Swipe up to unlock"
        color: Qt.rgba(1, 1, 1, 0.8); font.family: Theme.font; font.pixelSize: 15
    }
    Rectangle { id: indicator; anchors.horizontalCenter: parent.horizontalCenter; anchors.bottom: parent.bottom; anchors.bottomMargin: 9; width: 134; height: 5; radius: 2.5; color: "white" }
    MouseArea {
        objectName: "unlockArea"
        anchors.left: parent.left; anchors.right: parent.right; anchors.bottom: parent.bottom
        height: 160
        property real startY: 0
        onPressed: (m) => startY = m.y
        onReleased: (m) => { if (startY - m.y > 60) lock.phone.setLocked(false) }
    }
}
