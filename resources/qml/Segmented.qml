import QtQuick

// UISegmentedControl: gray track, white sliding thumb.
Rectangle {
    id: seg
    property var options: []      // [{value, label}]
    property string value
    property string namePrefix: "segment_"
    signal picked(string value)
    height: 32
    radius: 9
    color: "#EEEEEF"
    readonly property real cell: (width - 4) / Math.max(1, options.length)
    readonly property int current: {
        for (var i = 0; i < options.length; ++i) if (options[i].value === value) return i
        return 0
    }
    Rectangle {
        x: 2 + seg.current * seg.cell
        y: 2
        width: seg.cell
        height: seg.height - 4
        radius: 7
        color: "white"
        border.color: Qt.rgba(0, 0, 0, 0.04)
        Behavior on x { NumberAnimation { duration: 220; easing.type: Easing.OutCubic } }
    }
    Row {
        x: 2
        Repeater {
            model: seg.options
            Item {
                objectName: seg.namePrefix + modelData.value
                width: seg.cell
                height: seg.height
                Text {
                    anchors.centerIn: parent
                    text: modelData.label
                    font.family: Theme.font
                    font.pixelSize: 13
                    font.weight: index === seg.current ? Font.DemiBold : Font.Medium
                }
                MouseArea { anchors.fill: parent; onClicked: { seg.value = modelData.value; seg.picked(modelData.value) } }
            }
        }
    }
}
