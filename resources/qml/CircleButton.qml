import QtQuick

// A round iOS call button: icon in a circle, optional label below; press dims like iOS.
Item {
    id: button
    property string icon
    property string label
    property color fill: Theme.glass
    property color pressedFill: Theme.glassPressed
    property color iconColor: "white"
    property color labelColor: "white"
    property bool checked: false
    property real diameter: 78
    property real iconSize: 34
    property real iconRotation: 0
    signal clicked()
    signal pressAndHold()
    width: diameter
    height: diameter + (label ? 24 : 0)
    opacity: enabled ? 1 : 0.35

    Rectangle {
        id: disc
        width: button.diameter
        height: width
        radius: width / 2
        color: area.pressed ? button.pressedFill : button.checked ? "white" : button.fill
        Behavior on color { ColorAnimation { duration: Theme.quick } }
        Icon {
            anchors.centerIn: parent
            width: button.iconSize
            height: button.iconSize
            name: button.icon
            rotation: button.iconRotation
            color: button.checked ? "#1c1c1e" : button.iconColor
        }
    }
    Text {
        anchors.top: disc.bottom
        anchors.topMargin: 7
        anchors.horizontalCenter: disc.horizontalCenter
        text: button.label
        color: button.labelColor
        font.family: Theme.font
        font.pixelSize: 13
        font.weight: Font.Medium
    }
    MouseArea {
        id: area
        anchors.fill: disc
        enabled: button.enabled
        onClicked: button.clicked()
        onPressAndHold: button.pressAndHold()
    }
}
