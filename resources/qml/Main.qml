import QtQuick
import QtQuick.Window

// The emulated iPhone: Phone app, lock screen, call screens, banners, errors, settings.
// Everything is laid out on a 390x844 point canvas scaled to the window (keeps proportions).
Window {
    id: root
    required property string appVersion
    required property string profile
    required property var phone
    required property var recents
    required property var contacts
    property bool firstRun: false
    property var lab: null
    width: 390
    height: 844
    minimumWidth: 260
    minimumHeight: 563
    visible: true
    color: "#000000"
    title: "Softphone" + (profile !== "default" ? " — " + profile : "")

    Loader {
        id: deviceLoader
        anchors.centerIn: parent  // sized by the 390x844 device, not stretched to the window
        active: root.phone !== null
        focus: true
        sourceComponent: deviceComponent
    }

    Component {
    id: deviceComponent
    Item {
        id: device
        objectName: "device"
        width: Theme.phoneWidth
        height: Theme.phoneHeight
        scale: Math.min(root.width / width, root.height / height)
        focus: true
        clip: true

        property bool incomingExpanded: false
        property bool callMinimized: false
        property bool settingsShown: false
        property string incomingUuid: root.phone.incomingCall.uuid || ""
        property string callUuid: root.phone.primaryCall.uuid || ""
        onIncomingUuidChanged: incomingExpanded = false
        onCallUuidChanged: callMinimized = false
        readonly property bool fullIncoming: root.phone.hasIncoming && (root.phone.locked || incomingExpanded || root.phone.callWaiting)
        readonly property bool callShown: root.phone.hasCall && !callMinimized
        readonly property bool darkChrome: root.phone.locked || callShown || fullIncoming

        Keys.onPressed: (event) => keyHandler.handle(event)

        PhoneApp {
            id: phoneApp
            objectName: "phoneApp"
            anchors.fill: parent
            phone: root.phone; recents: root.recents; contacts: root.contacts
            onOpenSettings: { settings.load(); device.settingsShown = true }
        }
        Rectangle {
            objectName: "returnToCall"
            visible: root.phone.hasCall && device.callMinimized
            x: 0; y: 0; width: parent.width; height: 50; color: Theme.green; z: 1
            Text { anchors.centerIn: parent; anchors.verticalCenterOffset: 12; text: "Touch to return to call"; color: "white"; font.family: Theme.font; font.pixelSize: 13; font.weight: Font.DemiBold }
            MouseArea { anchors.fill: parent; onClicked: device.callMinimized = false }
        }
        LockScreen {
            objectName: "lockScreen"
            anchors.fill: parent
            phone: root.phone
            opacity: root.phone.locked ? 1 : 0
            visible: opacity > 0
            Behavior on opacity { NumberAnimation { duration: Theme.screen } }
        }
        CallScreen {
            id: callScreen
            anchors.fill: parent
            phone: root.phone
            opacity: device.callShown ? 1 : 0
            scale: device.callShown ? 1 : 0.94
            visible: opacity > 0
            Behavior on opacity { NumberAnimation { duration: Theme.screen; easing.type: Easing.OutCubic } }
            Behavior on scale { NumberAnimation { duration: Theme.screen; easing.type: Easing.OutCubic } }
            onAddCallRequested: { device.callMinimized = true; phoneApp.tab = "keypad" }
            onContactsRequested: { device.callMinimized = true; phoneApp.tab = "contacts" }
        }
        IncomingScreen {
            anchors.fill: parent
            phone: root.phone
            opacity: device.fullIncoming ? 1 : 0
            visible: opacity > 0
            Behavior on opacity { NumberAnimation { duration: 220 } }
        }
        IncomingBanner {
            x: 8; y: 8; width: parent.width - 16
            phone: root.phone
            shown: root.phone.hasIncoming && !device.fullIncoming
            onExpand: device.incomingExpanded = true
        }
        SettingsPage {
            id: settings
            width: parent.width; height: parent.height
            y: device.settingsShown ? 0 : parent.height
            visible: y < parent.height
            phone: root.phone
            lab: root.lab
            onClose: device.settingsShown = false
            Behavior on y { NumberAnimation { duration: 380; easing.type: Easing.OutCubic } }
        }
        FirstRunSheet {
            width: parent.width; height: parent.height
            y: root.firstRun ? 0 : parent.height
            visible: y < parent.height
            onDone: root.firstRun = false
            Behavior on y { NumberAnimation { duration: 380; easing.type: Easing.OutCubic } }
        }
        ErrorBanners {
            objectName: "errorBanners"
            x: 8; y: root.phone.hasIncoming && !device.fullIncoming ? 100 : 52; width: parent.width - 16
            phone: root.phone
        }
        StatusBar {
            objectName: "statusBar"
            width: parent.width
            phone: root.phone
            dark: device.darkChrome
            visible: !(root.phone.hasIncoming && !device.fullIncoming)
        }
        KeyHandler {
            id: keyHandler
            phone: root.phone
            device: device
            keypad: phoneApp.keypad
            callScreen: callScreen
            settingsShown: device.settingsShown
        }
    }
    }
}
