import QtQuick
import QtQuick.Controls.Fusion

// SIP ladder of the selected call: a column per party, an arrow per message.
Rectangle {
    id: pane
    required property QtObject inspector
    readonly property var parties: inspector.parties
    readonly property int timeWidth: 70
    readonly property int sideMargin: 48
    color: "white"

    function columnX(column) {
        const n = parties.length
        const left = timeWidth + sideMargin
        const span = width - left - sideMargin
        if (n <= 1)
            return left + span / 2
        return left + column * span / (n - 1)
    }

    PaneHeader {
        id: header
        width: parent.width
        title: "SIP ladder"
        subtitle: pane.parties.length ? "solid: request · dashed: response · click an arrow for the full message" : ""
    }

    Rectangle {
        id: partyBar
        anchors.top: header.bottom
        width: parent.width
        height: 30
        color: "#f7f7f9"
        Repeater {
            model: pane.parties
            Rectangle {
                required property int index
                required property string modelData
                x: Math.max(4, Math.min(pane.columnX(index) - width / 2, pane.width - width - 4))
                y: 4
                width: partyLabel.implicitWidth + 16
                height: 22
                radius: 4
                color: index === 0 ? "#0a64d6" : "#3a3a3c"
                Label {
                    id: partyLabel
                    anchors.centerIn: parent
                    text: (index === 0 ? "this phone  " : "") + parent.modelData
                    color: "white"
                    font.family: "DejaVu Sans Mono"
                    font.pixelSize: 11
                }
            }
        }
        Rectangle { anchors.bottom: parent.bottom; width: parent.width; height: 1; color: "#d0d0d6" }
    }

    Item {
        id: body
        anchors.top: partyBar.bottom
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.bottom: parent.bottom
        clip: true

        Repeater {
            model: pane.parties
            Rectangle {
                required property int index
                x: pane.columnX(index)
                width: 1
                height: body.height
                color: "#c7c7cc"
            }
        }

        ListView {
            id: list
            objectName: "ladderList"
            anchors.fill: parent
            model: pane.inspector.ladder
            currentIndex: pane.inspector.selectedSipIndex
            highlightFollowsCurrentItem: false
            boundsBehavior: Flickable.StopAtBounds
            ScrollBar.vertical: ScrollBar { }
            Keys.onUpPressed: pane.inspector.selectSip(Math.max(0, currentIndex - 1))
            Keys.onDownPressed: pane.inspector.selectSip(Math.min(count - 1, currentIndex + 1))

            delegate: LadderArrow {
                width: ListView.view.width
                ladder: pane
                onClicked: {
                    list.forceActiveFocus()
                    pane.inspector.selectSip(index)
                }
            }

            Label {
                anchors.centerIn: parent
                visible: list.count === 0
                text: "No SIP messages for this call"
                color: "#8e8e93"
            }
        }
    }

    Connections {
        target: pane.inspector
        function onScrollLadderTo(row) { list.positionViewAtIndex(row, ListView.Contain) }
    }
}
