import QtQuick

// First run: what Softphone is, how to make the first call, how to add a real account.
Rectangle {
    id: sheet
    objectName: "firstRunSheet"
    property string echoTarget: "echo"
    signal done()
    color: "white"

    Column {
        x: 28; y: 150; width: parent.width - 56
        spacing: 18
        Rectangle {
            width: 84; height: 84; radius: 20; color: Theme.green
            anchors.horizontalCenter: parent.horizontalCenter
            Icon { anchors.centerIn: parent; width: 44; height: 44; name: "phone"; color: "white" }
        }
        Text {
            objectName: "firstRunTitle"
            width: parent.width; horizontalAlignment: Text.AlignHCenter
            text: "Welcome to Softphone"
            font.family: Theme.font; font.pixelSize: 30; font.weight: Font.Bold; color: Theme.label
        }
        Text {
            width: parent.width; wrapMode: Text.Wrap; horizontalAlignment: Text.AlignHCenter
            text: "An iPhone's calls on your desktop: CallKit screens, real SIP calls and VoIP push wake-up, for testing VoIP apps and SIP services."
            font.family: Theme.font; font.pixelSize: 16; color: Theme.secondary
        }
        Repeater {
            model: [
                ["Call the test line", "Dial \u201c" + sheet.echoTarget + "\u201d on the keypad: a built-in line answers and plays your voice back. No server needed."],
                ["Call another Softphone", "Start a second one with --profile b and call the address its state shows (sip:you@127.0.0.1:port)."],
                ["Add your SIP account", "Open Settings from the keypad, or add an [[accounts]] entry to settings.toml. Passwords stay in the system keyring."]
            ]
            delegate: Column {
                width: parent ? parent.width : 0
                spacing: 3
                Text { text: modelData[0]; font.family: Theme.font; font.pixelSize: 17; font.weight: Font.DemiBold; color: Theme.label }
                Text { width: parent.width; wrapMode: Text.Wrap; text: modelData[1]; font.family: Theme.font; font.pixelSize: 15; color: Theme.secondary }
            }
        }
    }
    Rectangle {
        objectName: "firstRunDone"
        x: 28; width: parent.width - 56; height: 52; radius: 14
        anchors.bottom: parent.bottom; anchors.bottomMargin: 48
        color: doneArea.pressed ? Qt.darker(Theme.blue, 1.2) : Theme.blue
        Text { anchors.centerIn: parent; text: "Get Started"; color: "white"; font.family: Theme.font; font.pixelSize: 17; font.weight: Font.DemiBold }
        MouseArea { id: doneArea; anchors.fill: parent; onClicked: sheet.done() }
    }
}
