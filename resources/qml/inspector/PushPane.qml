import QtQuick
import QtQuick.Controls.Fusion

// Push log: each VoIP push with APNs' answer, delivery and what the app did.
Rectangle {
    id: pane
    required property QtObject inspector
    color: "white"

    PaneHeader {
        id: header
        width: parent.width
        title: "Push log"
        subtitle: "request · APNs status · delivery · app reaction"
    }

    ListView {
        id: list
        objectName: "pushList"
        anchors.top: header.bottom
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.bottom: parent.bottom
        clip: true
        model: pane.inspector.pushes
        currentIndex: pane.inspector.selectedPushIndex
        highlightFollowsCurrentItem: false
        boundsBehavior: Flickable.StopAtBounds
        ScrollBar.vertical: ScrollBar { }

        delegate: Rectangle {
            id: row
            required property int index
            required property string timeText
            required property string topic
            required property string pushType
            required property string tokenShort
            required property string statusText
            required property bool ok
            required property bool delivered
            required property string appReaction
            objectName: "pushRow_" + index
            width: ListView.view.width
            height: 44
            color: ListView.isCurrentItem ? "#cfe3ff" : index % 2 ? "#fafafc" : "white"

            Label {
                x: 10; y: 5; width: 64
                text: row.timeText
                font.family: "DejaVu Sans Mono"
                font.pixelSize: 11
                color: "#6e6e73"
            }
            Rectangle {
                id: status
                x: 78; y: 4
                width: statusLabel.implicitWidth + 10
                height: 17
                radius: 3
                color: row.ok ? "#1f8a4c" : "#d70015"
                Label {
                    id: statusLabel
                    anchors.centerIn: parent
                    text: row.statusText
                    color: "white"
                    font.pixelSize: 11
                    font.bold: true
                }
            }
            Label {
                anchors.left: status.right
                anchors.leftMargin: 8
                anchors.right: parent.right
                anchors.rightMargin: 10
                y: 4
                text: row.topic + "  ·  " + row.pushType + "  ·  " + row.tokenShort
                elide: Text.ElideRight
                font.bold: true
            }
            Label {
                x: 78; y: 24
                width: parent.width - x - 10
                text: (row.delivered ? "delivered" : "not delivered") + "  →  " + row.appReaction
                elide: Text.ElideRight
                font.pixelSize: 12
                color: row.delivered ? "#3a3a3c" : "#a1120b"
            }
            Rectangle { anchors.bottom: parent.bottom; width: parent.width; height: 1; color: "#ececf0" }
            MouseArea {
                anchors.fill: parent
                onClicked: pane.inspector.selectPush(row.index)
            }
        }

        Label {
            anchors.centerIn: parent
            visible: list.count === 0
            text: "No pushes"
            color: "#8e8e93"
        }
    }
}
