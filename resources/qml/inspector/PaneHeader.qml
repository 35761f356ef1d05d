import QtQuick
import QtQuick.Controls.Fusion

// Title strip at the top of an Inspector pane.
Rectangle {
    id: header
    property string title
    property string subtitle: ""
    height: 30
    color: "#e9e9ee"
    Rectangle { anchors.bottom: parent.bottom; width: parent.width; height: 1; color: "#d0d0d6" }
    Label {
        id: titleLabel
        anchors.left: parent.left
        anchors.leftMargin: 10
        anchors.verticalCenter: parent.verticalCenter
        text: header.title
        font.bold: true
        color: "#1d1d1f"
    }
    Label {
        anchors.left: titleLabel.right
        anchors.leftMargin: 10
        anchors.right: parent.right
        anchors.rightMargin: 10
        anchors.verticalCenter: parent.verticalCenter
        text: header.subtitle
        elide: Text.ElideRight
        color: "#6e6e73"
        font.pixelSize: 12
    }
}
