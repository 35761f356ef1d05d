pragma Singleton
import QtQuick

// iOS 16 light-theme palette and type scale (one place, so an iOS 17 theme can follow).
QtObject {
    readonly property string font: "Inter"
    readonly property real phoneWidth: 390
    readonly property real phoneHeight: 844
    readonly property color blue: "#007AFF"
    readonly property color green: "#34C759"
    readonly property color red: "#FF3B30"
    readonly property color orange: "#FF9500"
    readonly property color gray: "#8E8E93"
    readonly property color gray3: "#C7C7CC"
    readonly property color gray5: "#E5E5EA"
    readonly property color grouped: "#F2F2F7"
    readonly property color separator: "#D1D1D6"
    readonly property color label: "#000000"
    readonly property color secondary: "#8A8A8E"
    readonly property color callTop: "#4B5563"
    readonly property color callBottom: "#1F2127"
    readonly property color glass: Qt.rgba(1, 1, 1, 0.2)
    readonly property color glassPressed: Qt.rgba(1, 1, 1, 0.45)
    readonly property int quick: 120
    readonly property int screen: 320
}
