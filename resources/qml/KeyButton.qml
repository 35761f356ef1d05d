import QtQuick

// A dial-pad key: digit plus letters, light (Phone app) or glass (in-call keypad).
Item {
    id: key
    property string digit
    property string letters
    property bool dark: false
    signal pressed(string digit)
    signal longPressed(string digit)
    width: 78
    height: 78

    Rectangle {
        anchors.fill: parent
        radius: width / 2
        color: area.pressed ? (key.dark ? Theme.glassPressed : "#B9B9BE") : (key.dark ? Theme.glass : Theme.gray5)
        Behavior on color { ColorAnimation { duration: area.pressed ? 0 : 350 } }
    }
    Column {
        anchors.centerIn: parent
        anchors.verticalCenterOffset: key.letters ? 0 : -2
        Text {
            anchors.horizontalCenter: parent.horizontalCenter
            text: key.digit
            color: key.dark ? "white" : "black"
            font.family: Theme.font
            font.pixelSize: key.digit === "*" ? 44 : 36
            height: key.digit === "*" ? 36 : implicitHeight
            font.weight: Font.Normal
        }
        Text {
            anchors.horizontalCenter: parent.horizontalCenter
            text: key.letters
            visible: key.letters !== ""
            color: key.dark ? "white" : "black"
            font.family: Theme.font
            font.pixelSize: 10
            font.weight: Font.DemiBold
            font.letterSpacing: 2
        }
    }
    MouseArea {
        id: area
        anchors.fill: parent
        property bool held: false
        onPressed: held = false
        onPressAndHold: { held = true; key.longPressed(key.digit) }
        onClicked: if (!held) key.pressed(key.digit)
    }
}
