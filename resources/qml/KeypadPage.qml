import QtQuick

// Keypad tab: type a number or SIP URI, paste, long-press 0 for +, green call button.
Item {
    id: page
    required property var phone
    property string number: ""
    property bool pasteShown: false
    function append(text) { number += text; pasteShown = false }
    function backspace() { number = number.slice(0, -1) }
    function paste() { pasteBox.text = ""; pasteBox.paste(); append(pasteBox.text.trim()); pasteShown = false }
    function call() {
        if (number === "") return
        phone.dial(number)
        number = ""
    }

    TextInput { id: pasteBox; visible: false }

    Text {
        objectName: "dialNumber"
        anchors.horizontalCenter: parent.horizontalCenter
        width: parent.width - 40
        y: 110
        height: 50
        horizontalAlignment: Text.AlignHCenter
        verticalAlignment: Text.AlignVCenter
        text: page.phone.formatNumber(page.number)
        font.family: Theme.font
        font.pixelSize: 36
        fontSizeMode: Text.HorizontalFit
        minimumPixelSize: 18
        elide: Text.ElideLeft
        MouseArea { anchors.fill: parent; onPressAndHold: page.pasteShown = true; onClicked: page.pasteShown = !page.pasteShown && page.number === "" }
    }
    Text {
        anchors.horizontalCenter: parent.horizontalCenter
        y: 162
        visible: page.number !== "" && page.phone.contactName(page.number) !== ""
        text: page.phone.contactName(page.number)
        color: Theme.blue; font.family: Theme.font; font.pixelSize: 15
    }
    Rectangle {
        objectName: "pasteButton"
        visible: page.pasteShown
        anchors.horizontalCenter: parent.horizontalCenter
        y: 66
        width: 74; height: 36; radius: 8
        color: "#2C2C2E"
        Text { anchors.centerIn: parent; text: "Paste"; color: "white"; font.family: Theme.font; font.pixelSize: 15 }
        MouseArea { anchors.fill: parent; onClicked: page.paste() }
    }
    KeyGrid {
        id: keys
        anchors.horizontalCenter: parent.horizontalCenter
        y: 200
        onDigit: (d) => page.append(d)
        onLongDigit: (d) => page.append(d === "0" ? "+" : d)
    }
    CircleButton {
        objectName: "callButton"
        anchors.horizontalCenter: parent.horizontalCenter
        anchors.top: keys.bottom; anchors.topMargin: 16
        icon: "phone"
        fill: Theme.green
        pressedFill: "#7BD88F"
        iconSize: 36
        onClicked: page.call()
    }
    Icon {
        objectName: "deleteButton"
        visible: page.number !== ""
        x: keys.x + keys.width - 39 - 14
        anchors.top: keys.bottom; anchors.topMargin: 16 + 39 - 14
        width: 28; height: 28
        name: "delete"; color: "#BDBDC2"; strokeWidth: 1.8
        MouseArea { anchors.fill: parent; anchors.margins: -14; onClicked: page.backspace(); onPressAndHold: page.number = "" }
    }
}
