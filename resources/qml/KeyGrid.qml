import QtQuick

// The 4x3 telephone keypad.
Grid {
    id: grid
    property bool dark: false
    signal digit(string d)
    signal longDigit(string d)
    columns: 3
    columnSpacing: 26
    rowSpacing: 16
    readonly property var keys: [["1", ""], ["2", "ABC"], ["3", "DEF"], ["4", "GHI"], ["5", "JKL"],
        ["6", "MNO"], ["7", "PQRS"], ["8", "TUV"], ["9", "WXYZ"], ["*", ""], ["0", "+"], ["#", ""]]
    Repeater {
        model: grid.keys
        KeyButton {
            objectName: "key_" + (modelData[0] === "*" ? "star" : modelData[0] === "#" ? "hash" : modelData[0])
            digit: modelData[0]
            letters: modelData[1]
            dark: grid.dark
            onPressed: (d) => grid.digit(d)
            onLongPressed: (d) => grid.longDigit(d)
        }
    }
}
