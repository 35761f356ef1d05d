import QtQuick

// The app's own Transfer… sheet (CallKit has no transfer button; VoIP apps draw one):
// blind transfer to a number/SIP address, or, with a held call, attended transfer to it.
Item {
    id: sheet
    required property var phone
    property bool shown: false
    signal close()
    visible: shown || card.y < height
    onShownChanged: if (shown) { target.text = ""; target.forceActiveFocus() }
    function transferTo(to) { const phone = sheet.phone, uuid = phone.primaryCall.uuid; sheet.close(); phone.transfer(uuid, to) }
    Rectangle { anchors.fill: parent; color: "black"; opacity: sheet.shown ? 0.35 : 0
        Behavior on opacity { NumberAnimation { duration: 250 } }
        MouseArea { anchors.fill: parent; enabled: sheet.shown; onClicked: sheet.close() } }
    Rectangle {
        id: card
        objectName: "transferSheet"
        x: 8; width: parent.width - 16
        height: column.height + 16
        radius: 14; color: "#F2F2F7"
        y: sheet.shown ? sheet.height - height - 30 : sheet.height
        Behavior on y { NumberAnimation { duration: 300; easing.type: Easing.OutCubic } }
        Column {
            id: column
            y: 8; width: parent.width
            Text { width: parent.width; height: 40; horizontalAlignment: Text.AlignHCenter; verticalAlignment: Text.AlignVCenter
                text: "Transfer Call"; color: Theme.gray; font.family: Theme.font; font.pixelSize: 13; font.weight: Font.DemiBold }
            Rectangle {
                x: 14; width: parent.width - 28; height: 44; radius: 10; color: "white"
                TextInput {
                    id: target
                    objectName: "transferTarget"
                    x: 12; width: parent.width - 24; anchors.verticalCenter: parent.verticalCenter
                    font.family: Theme.font; font.pixelSize: 17; clip: true
                    onAccepted: sheet.transferTo(text)
                    Text { visible: !parent.text; text: "Number or SIP address"; color: Theme.gray3; font: parent.font }
                }
            }
            Item { width: 1; height: 8 }
            component Action: Item {
                property alias text: label.text
                property bool bold: false
                signal picked()
                width: column.width; height: 54
                Rectangle { x: 0; width: parent.width; height: 0.5; color: Theme.separator }
                Text { id: label; anchors.centerIn: parent; color: Theme.blue; font.family: Theme.font; font.pixelSize: 19; font.weight: parent.bold ? Font.DemiBold : Font.Normal
                    width: parent.width - 32; horizontalAlignment: Text.AlignHCenter; elide: Text.ElideRight }
                MouseArea { anchors.fill: parent; onClicked: parent.picked() }
            }
            Action { objectName: "transferBlind"; text: "Transfer"; bold: true; onPicked: sheet.transferTo(target.text) }
            Action { objectName: "transferToHeld"; visible: sheet.phone.hasHeldCall
                text: "Transfer to " + (sheet.phone.heldCall.name || "held call"); onPicked: sheet.transferTo(sheet.phone.heldCall.uuid) }
            Action { objectName: "transferCancel"; text: "Cancel"; onPicked: sheet.close() }
        }
    }
}
