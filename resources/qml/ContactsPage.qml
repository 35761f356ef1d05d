import QtQuick

// Contacts tab: a local address book (also the caller-ID source); + adds a contact.
Item {
    id: page
    required property var phone
    required property var contacts
    property bool adding: false
    onAddingChanged: if (!adding) page.forceActiveFocus() // give the keyboard back to the shortcuts

    Icon {
        objectName: "addContactButton"
        anchors.right: parent.right; anchors.rightMargin: 16; y: 60
        width: 24; height: 24; name: "plus"; color: Theme.blue; strokeWidth: 2.2
        MouseArea { anchors.fill: parent; anchors.margins: -8; onClicked: page.adding = true }
    }
    LargeTitle { id: title; y: 98; text: "Contacts" }
    Rectangle {
        id: search
        x: 16; width: parent.width - 32; height: 36; radius: 10
        anchors.top: title.bottom; anchors.topMargin: 8
        color: "#EEEEEF"
        Icon { x: 8; anchors.verticalCenter: parent.verticalCenter; width: 17; height: 17; name: "search"; color: Theme.gray }
        TextInput {
            objectName: "contactsSearch"
            x: 32; width: parent.width - 40; anchors.verticalCenter: parent.verticalCenter
            font.family: Theme.font; font.pixelSize: 17
            onTextChanged: if (page.contacts) page.contacts.searchText = text
            Text { visible: !parent.text; text: "Search"; color: Theme.gray; font: parent.font }
        }
    }
    ListView {
        id: list
        objectName: "contactsList"
        anchors.top: search.bottom; anchors.topMargin: 8
        anchors.left: parent.left; anchors.right: parent.right; anchors.bottom: parent.bottom
        clip: true
        model: page.contacts
        section.property: "section"
        section.delegate: Rectangle {
            required property string section
            width: list.width; height: 28; color: Theme.grouped
            Text { x: 16; anchors.verticalCenter: parent.verticalCenter; text: parent.section; font.family: Theme.font; font.pixelSize: 15; font.weight: Font.DemiBold; color: Theme.secondary }
        }
        delegate: Item {
            id: row
            required property int index
            required property string name
            required property var model
            readonly property var numbers: model.numbers || []
            readonly property var sipUris: model.sipUris || []
            objectName: "contactRow_" + index
            width: list.width; height: 48
            Rectangle { anchors.fill: parent; color: tap.pressed ? Theme.gray5 : "white" }
            Text { x: 16; anchors.verticalCenter: parent.verticalCenter; text: row.name; font.family: Theme.font; font.pixelSize: 17; font.weight: Font.DemiBold }
            Rectangle { x: 16; anchors.bottom: parent.bottom; width: parent.width - 16; height: 0.5; color: Theme.separator }
            MouseArea {
                id: tap; anchors.fill: parent
                onClicked: {
                    var target = row.numbers.length ? row.numbers[0] : (row.sipUris.length ? row.sipUris[0] : "")
                    if (target) page.phone.dial(target)
                }
            }
        }
    }
    AddContactSheet {
        anchors.fill: parent
        visible: page.adding
        onDone: (name, number, uri) => {
            if (page.contacts && page.contacts.add(name, number, uri)) page.adding = false
            else invalid = true
        }
        onCancel: page.adding = false
    }
}
