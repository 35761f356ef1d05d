import QtQuick

// UISwitch look: green track, white knob that slides.
Rectangle {
    id: sw
    property bool checked: false
    signal toggled(bool on)
    width: 51
    height: 31
    radius: height / 2
    color: checked ? Theme.green : "#E9E9EB"
    Behavior on color { ColorAnimation { duration: 200 } }
    Rectangle {
        width: 27
        height: 27
        radius: 13.5
        y: 2
        x: sw.checked ? sw.width - width - 2 : 2
        color: "white"
        border.color: Qt.rgba(0, 0, 0, 0.06)
        Behavior on x { NumberAnimation { duration: 200; easing.type: Easing.OutCubic } }
    }
    MouseArea {
        anchors.fill: parent
        onClicked: { sw.checked = !sw.checked; sw.toggled(sw.checked) }
    }
}
