import QtQuick
import QtQuick.Controls.Fusion
import QtQuick.Shapes

// One SIP message in the ladder: time, first line and an arrow from sender to receiver.
Item {
    id: row
    required property int index
    required property string timeText
    required property string firstLine
    required property string direction
    required property int fromColumn
    required property int toColumn
    required property bool highlighted
    required property string callTag
    required property Item ladder
    readonly property bool selected: ListView.isCurrentItem
    readonly property real x1: ladder.columnX(fromColumn)
    readonly property real x2: ladder.columnX(toColumn)
    readonly property bool isReply: firstLine.startsWith("SIP/")
    readonly property color ink: selected ? "#0a64d6" : direction === "sent" ? "#2c5aa0" : "#1f7a45"
    signal clicked()

    objectName: "sipRow_" + index
    height: 38

    Rectangle {
        anchors.fill: parent
        color: row.selected ? "#cfe3ff" : row.highlighted ? "#e6f0ff" : "transparent"
        opacity: 0.85
    }
    Label {
        x: 8
        y: 20
        text: row.timeText
        font.family: "DejaVu Sans Mono"
        font.pixelSize: 11
        color: "#6e6e73"
    }
    Label {
        visible: row.callTag !== ""
        x: 8
        y: 4
        width: row.ladder.timeWidth - 4
        elide: Text.ElideRight
        text: row.callTag
        font.family: "DejaVu Sans Mono"
        font.pixelSize: 10
        color: "#8e8e93"
    }
    Label {
        id: caption
        readonly property real mid: (row.x1 + row.x2) / 2
        readonly property real room: row.width - row.ladder.timeWidth - 8
        width: Math.min(implicitWidth, room)
        x: Math.max(row.ladder.timeWidth + 4, Math.min(mid - width / 2, row.width - width - 4))
        y: 5
        horizontalAlignment: Text.AlignHCenter
        elide: Text.ElideMiddle
        text: row.firstLine
        font.family: "DejaVu Sans Mono"
        font.pixelSize: 12
        font.bold: row.selected || !row.isReply
        color: row.ink
    }
    Shape {
        anchors.fill: parent
        preferredRendererType: Shape.CurveRenderer
        ShapePath {
            strokeColor: row.ink
            strokeWidth: row.selected ? 2.5 : 1.6
            strokeStyle: row.isReply ? ShapePath.DashLine : ShapePath.SolidLine
            dashPattern: [5, 3]
            fillColor: "transparent"
            startX: row.x1; startY: 26
            PathLine { x: row.x2 - (row.x2 > row.x1 ? 2 : -2); y: 26 }
        }
        ShapePath {
            strokeColor: row.ink
            fillColor: row.ink
            strokeWidth: 1
            startX: row.x2; startY: 26
            PathLine { x: row.x2 + (row.x2 > row.x1 ? -10 : 10); y: 21 }
            PathLine { x: row.x2 + (row.x2 > row.x1 ? -10 : 10); y: 31 }
            PathLine { x: row.x2; y: 26 }
        }
    }
    MouseArea {
        objectName: "sipArrow_" + row.index
        x: Math.min(row.x1, row.x2) - 8
        width: Math.abs(row.x2 - row.x1) + 16
        height: parent.height
        onClicked: row.clicked()
    }
}
