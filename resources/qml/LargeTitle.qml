import QtQuick

// An iOS navigation bar large title.
Text {
    x: 16
    font.family: Theme.font
    font.pixelSize: 34
    font.weight: Font.Bold
}
