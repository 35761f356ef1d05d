import QtQuick
import QtQuick.Controls.Fusion

// A small coloured tag naming where a timeline entry came from.
Rectangle {
    id: chip
    property string source
    readonly property var colors: ({
        "callkit": "#0a64d6", "pushkit": "#8e3fd0", "sip": "#1f8a4c",
        "audio": "#c46a00", "app": "#6e6e73"
    })
    width: label.implicitWidth + 10
    height: 17
    radius: 3
    color: colors[source] || "#6e6e73"
    Label {
        id: label
        anchors.centerIn: parent
        text: chip.source
        color: "white"
        font.pixelSize: 11
        font.bold: true
    }
}
