import QtQuick
import QtQuick.Controls.Fusion

// The selected item in full: a SIP message's text, an event's details or a push request.
Rectangle {
    id: pane
    required property QtObject inspector
    color: "white"

    PaneHeader {
        id: header
        width: parent.width
        title: "Details"
        subtitle: pane.inspector.detailTitle
    }

    ScrollView {
        anchors.top: header.bottom
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.bottom: parent.bottom
        clip: true

        TextArea {
            objectName: "detailText"
            readOnly: true
            selectByMouse: true
            wrapMode: TextEdit.Wrap
            text: pane.inspector.detailText
            placeholderText: "Click a timeline event, a SIP message or a push to see it in full."
            font.family: "DejaVu Sans Mono"
            font.pixelSize: 12
            color: "#1d1d1f"
            padding: 10
            background: null
        }
    }
}
