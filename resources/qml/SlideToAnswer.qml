import QtQuick

// "slide to answer": drag the knob to the end; released early, it springs back.
Rectangle {
    id: track
    objectName: "slideTrack"
    property bool animate: true
    signal answered()
    width: 320; height: 76; radius: height / 2
    color: Qt.rgba(1, 1, 1, 0.18)
    readonly property real travel: width - knob.width - 8
    Text {
        id: hint
        anchors.centerIn: parent; anchors.horizontalCenterOffset: 30
        text: "slide to answer"; color: "white"; font.family: Theme.font; font.pixelSize: 21
        opacity: 1 - knob.x / track.travel
        SequentialAnimation on color {
            loops: Animation.Infinite
            running: track.animate && track.visible
            ColorAnimation { to: Qt.rgba(1, 1, 1, 0.45); duration: 900 }
            ColorAnimation { to: "white"; duration: 900 }
        }
    }
    Rectangle {
        id: knob
        objectName: "slideKnob"
        x: 4; y: 4; width: 68; height: 68; radius: 34; color: "white"
        Icon { anchors.centerIn: parent; width: 32; height: 32; name: "phone"; color: Theme.green }
        Behavior on x { enabled: !drag.drag.active; NumberAnimation { duration: 250; easing.type: Easing.OutBack } }
        MouseArea {
            id: drag
            anchors.fill: parent
            drag.target: knob; drag.axis: Drag.XAxis; drag.minimumX: 4; drag.maximumX: track.travel + 4
            onReleased: {
                if (knob.x >= track.travel - 4) track.answered()
                knob.x = 4
            }
        }
    }
}
