import QtQuick

// New Contact sheet: name, phone number, SIP address.
Rectangle {
    id: sheet
    objectName: "addContactSheet"
    property bool invalid: false
    signal done(string name, string number, string uri)
    signal cancel()
    color: Theme.grouped
    onVisibleChanged: if (visible) { nameField.text = ""; numberField.text = ""; uriField.text = ""; invalid = false }

    component Field: Rectangle {
        property alias text: input.text
        property alias placeholder: hint.text
        property alias inputName: input.objectName
        width: parent.width; height: 46; radius: 10; color: "white"
        TextInput {
            id: input
            x: 14; width: parent.width - 28; anchors.verticalCenter: parent.verticalCenter
            font.family: Theme.font; font.pixelSize: 17
            Text { id: hint; visible: !parent.text; color: Theme.gray3; font: parent.font }
        }
    }

    MouseArea { anchors.fill: parent }
    Text { x: 16; y: 62; text: "Cancel"; color: Theme.blue; font.family: Theme.font; font.pixelSize: 17
        MouseArea { objectName: "contactCancel"; anchors.fill: parent; onClicked: sheet.cancel() } }
    Text { anchors.horizontalCenter: parent.horizontalCenter; y: 62; text: "New Contact"; font.family: Theme.font; font.pixelSize: 17; font.weight: Font.DemiBold }
    Text { anchors.right: parent.right; anchors.rightMargin: 16; y: 62; text: "Done"; color: Theme.blue; font.family: Theme.font; font.pixelSize: 17; font.weight: Font.DemiBold
        MouseArea { objectName: "contactSave"; anchors.fill: parent; onClicked: sheet.done(nameField.text, numberField.text, uriField.text) } }
    Column {
        x: 16; y: 120; width: parent.width - 32; spacing: 14
        Field { id: nameField; inputName: "contactName"; placeholder: "Name" }
        Field { id: numberField; inputName: "contactNumber"; placeholder: "Phone number" }
        Field { id: uriField; inputName: "contactSip"; placeholder: "SIP address (sip:user@host)" }
        Text { objectName: "contactInvalid"; visible: sheet.invalid; text: "A contact needs a name and a number or SIP address."; color: Theme.red; font.family: Theme.font; font.pixelSize: 13; width: parent.width; wrapMode: Text.Wrap }
    }
}
