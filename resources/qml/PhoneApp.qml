import QtQuick

// The Phone app: five tabs (Favorites, Recents, Contacts, Keypad, Voicemail) and pushed pages.
Rectangle {
    id: app
    required property var phone
    required property var recents
    required property var contacts
    property string tab: "keypad"
    property alias keypad: keypadPage
    signal openSettings()
    color: "white"

    Icon {
        objectName: "settingsButton"
        x: 16; y: 60; z: 2
        visible: app.tab === "keypad" || app.tab === "favorites" || app.tab === "voicemail"
        width: 24; height: 24; name: "gear"; color: Theme.blue; strokeWidth: 1.7
        MouseArea { anchors.fill: parent; anchors.margins: -8; onClicked: app.openSettings() }
    }
    Item {
        id: pages
        anchors.fill: parent
        anchors.bottomMargin: tabBar.height
        PlaceholderPage { anchors.fill: parent; visible: app.tab === "favorites"; title: "Favorites"; icon: "star"
            message: "No Favorites\nFavorites are not available in this softphone yet." }
        RecentsPage {
            anchors.fill: parent; visible: app.tab === "recents"
            phone: app.phone; recents: app.recents
            onShowDetails: (row, entry) => {
                details.entry = entry
                details.calls = app.recents ? app.recents.details(row) : []
                details.shown = true
            }
        }
        ContactsPage { anchors.fill: parent; visible: app.tab === "contacts"; phone: app.phone; contacts: app.contacts }
        KeypadPage { id: keypadPage; anchors.fill: parent; visible: app.tab === "keypad"; phone: app.phone }
        PlaceholderPage { anchors.fill: parent; visible: app.tab === "voicemail"; title: "Voicemail"; icon: "voicemail"
            message: "Visual Voicemail is not available.\nThis softphone has no voicemail yet." }
    }
    RecentDetails {
        id: details
        objectName: "recentDetails"
        property bool shown: false
        width: parent.width; height: parent.height - tabBar.height
        x: shown ? 0 : parent.width
        visible: x < parent.width
        phone: app.phone
        onBack: shown = false
        Behavior on x { NumberAnimation { duration: 350; easing.type: Easing.OutCubic } }
    }
    Rectangle {
        id: tabBar
        anchors.bottom: parent.bottom
        width: parent.width; height: 83
        color: "#F9F9F9"
        Rectangle { width: parent.width; height: 0.5; color: Theme.separator }
        Row {
            Repeater {
                model: [["favorites", "Favorites", "star"], ["recents", "Recents", "clock"], ["contacts", "Contacts", "person.circle"],
                        ["keypad", "Keypad", "keypad"], ["voicemail", "Voicemail", "voicemail"]]
                Item {
                    objectName: "tab_" + modelData[0]
                    width: tabBar.width / 5; height: 56
                    readonly property bool current: app.tab === modelData[0]
                    Icon { anchors.horizontalCenter: parent.horizontalCenter; y: 7; width: 27; height: 27; name: modelData[2]
                        color: parent.current ? Theme.blue : "#999999"; strokeWidth: 1.8 }
                    Text { anchors.horizontalCenter: parent.horizontalCenter; y: 37; text: modelData[1]; font.family: Theme.font; font.pixelSize: 10; font.weight: Font.Medium
                        color: parent.current ? Theme.blue : "#999999" }
                    Rectangle {
                        visible: modelData[0] === "recents" && app.recents && app.recents.unseenMissedCount > 0
                        x: parent.width / 2 + 6; y: 3; width: Math.max(18, badge.implicitWidth + 8); height: 18; radius: 9; color: Theme.red
                        Text { id: badge; anchors.centerIn: parent; text: app.recents ? app.recents.unseenMissedCount : ""; color: "white"; font.family: Theme.font; font.pixelSize: 12; font.weight: Font.DemiBold }
                    }
                    MouseArea {
                        anchors.fill: parent
                        onClicked: {
                            app.tab = modelData[0]
                            details.shown = false
                            if (modelData[0] === "recents" && app.recents) app.recents.markMissedSeen()
                        }
                    }
                }
            }
        }
    }
}
