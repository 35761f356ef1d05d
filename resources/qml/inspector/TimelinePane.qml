import QtQuick
import QtQuick.Controls.Fusion

// CallKit timeline: one row per transaction, action outcome, audio-session change or report.
Rectangle {
    id: pane
    required property QtObject inspector
    color: "white"

    PaneHeader {
        id: header
        width: parent.width
        title: "CallKit timeline"
        subtitle: "transactions, actions, audio session, reports"
    }

    ListView {
        id: list
        objectName: "timelineList"
        anchors.top: header.bottom
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.bottom: parent.bottom
        clip: true
        model: pane.inspector.timeline
        currentIndex: pane.inspector.selectedTimelineIndex
        highlightFollowsCurrentItem: false
        boundsBehavior: Flickable.StopAtBounds
        ScrollBar.vertical: ScrollBar { }
        Keys.onUpPressed: pane.inspector.selectTimeline(Math.max(0, currentIndex - 1))
        Keys.onDownPressed: pane.inspector.selectTimeline(Math.min(count - 1, currentIndex + 1))

        delegate: Rectangle {
            id: row
            required property int index
            required property string timeText
            required property string source
            required property string kind
            required property string summary
            required property string severity
            required property string durationText
            required property bool highlighted
            readonly property bool selected: ListView.isCurrentItem
            objectName: "timelineRow_" + index
            width: ListView.view.width
            height: 44
            color: selected ? "#cfe3ff"
                 : severity === "violation" ? "#fde2e1"
                 : severity === "warning" ? "#fff3d6"
                 : highlighted ? "#e6f0ff"
                 : index % 2 ? "#fafafc" : "white"

            Rectangle {
                width: 4
                height: parent.height
                visible: row.severity !== "info" || row.highlighted || row.selected
                color: row.severity === "violation" ? "#d70015"
                     : row.severity === "warning" ? "#e08a00" : "#0a64d6"
            }
            Label {
                id: time
                x: 10; y: 5
                width: 64
                text: row.timeText
                font.family: "DejaVu Sans Mono"
                font.pixelSize: 11
                color: "#6e6e73"
            }
            SourceChip { id: chip; x: 78; y: 5; source: row.source }
            Label {
                anchors.left: chip.right
                anchors.leftMargin: 8
                anchors.right: duration.left
                anchors.rightMargin: 8
                y: 4
                text: row.kind
                elide: Text.ElideRight
                font.bold: true
                color: row.severity === "violation" ? "#a1120b" : "#1d1d1f"
            }
            Label {
                id: duration
                anchors.right: parent.right
                anchors.rightMargin: 10
                y: 5
                text: row.durationText
                font.family: "DejaVu Sans Mono"
                font.pixelSize: 11
                color: row.severity === "info" ? "#6e6e73" : "#a1120b"
            }
            Label {
                x: 78; y: 24
                width: parent.width - x - 10
                text: row.summary
                elide: Text.ElideRight
                font.pixelSize: 12
                color: row.severity === "violation" ? "#a1120b" : "#3a3a3c"
            }
            Rectangle { anchors.bottom: parent.bottom; width: parent.width; height: 1; color: "#ececf0" }
            MouseArea {
                anchors.fill: parent
                onClicked: {
                    list.forceActiveFocus()
                    pane.inspector.selectTimeline(row.index)
                }
            }
        }

        Label {
            anchors.centerIn: parent
            visible: list.count === 0
            text: "No events"
            color: "#8e8e93"
        }
    }

    Connections {
        target: pane.inspector
        function onScrollTimelineTo(row) { list.positionViewAtIndex(row, ListView.Contain) }
    }
}
