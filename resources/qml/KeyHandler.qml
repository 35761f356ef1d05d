import QtQuick

// Desktop shortcuts: Enter answers/calls, Esc declines/ends, digits are DTMF or dial input,
// Ctrl+L lock, Ctrl+D Do Not Disturb, Ctrl+V paste into the keypad.
QtObject {
    id: keys
    required property var phone
    required property var device
    required property var keypad
    required property var callScreen
    property bool settingsShown: false

    function isDialChar(t) { return t.length === 1 && /[0-9*#+a-zA-Z@.:_\-]/.test(t) }

    function handle(event) {
        var ctrl = event.modifiers & Qt.ControlModifier
        if (ctrl && event.key === Qt.Key_L) { phone.setLocked(!phone.locked); event.accepted = true; return }
        if (ctrl && event.key === Qt.Key_D) { phone.setDoNotDisturb(!phone.doNotDisturb); event.accepted = true; return }
        if (settingsShown) return
        var incoming = phone.incomingCall
        if (event.key === Qt.Key_Return || event.key === Qt.Key_Enter) {
            if (phone.hasIncoming) phone.callWaiting ? phone.holdAndAccept(incoming.uuid) : phone.answer(incoming.uuid)
            else if (!phone.hasCall && !phone.locked) keypad.call()
            event.accepted = true
        } else if (event.key === Qt.Key_Escape) {
            if (phone.hasIncoming) phone.decline(incoming.uuid)
            else if (phone.hasCall) phone.end(phone.primaryCall.uuid)
            event.accepted = true
        } else if (ctrl && event.key === Qt.Key_V) {
            if (!phone.hasCall) keypad.paste()
            event.accepted = true
        } else if (event.key === Qt.Key_Backspace) {
            keypad.backspace()
            event.accepted = true
        } else if (!ctrl && isDialChar(event.text)) {
            if (phone.hasCall && !device.callMinimized) {
                if (/[0-9*#]/.test(event.text)) callScreen.typeDigit(event.text)
            } else if (!phone.locked) keypad.append(event.text)
            event.accepted = true
        }
    }
}
