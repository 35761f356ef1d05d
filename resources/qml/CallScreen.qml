import QtQuick

// Outgoing and in-call screen: name, status/timer, 2x3 controls, end; keypad overlay; two calls.
Rectangle {
    id: screen
    objectName: "callScreen"
    required property var phone
    readonly property var call: phone.primaryCall
    readonly property bool twoCalls: phone.hasHeldCall
    property bool keypadShown: false
    property bool routesShown: false
    property bool conferenceShown: false
    property bool transferShown: false
    property string dtmf: ""
    function typeDigit(d) { phone.sendDtmf(call.uuid, d); dtmf += d; keypadShown = true }
    onCallChanged: if (!call.uuid || call.uuid !== lastUuid) { dtmf = ""; keypadShown = false; lastUuid = call.uuid || "" }
    property string lastUuid: ""
    gradient: Gradient {
        GradientStop { position: 0; color: Theme.callTop }
        GradientStop { position: 1; color: Theme.callBottom }
    }
    MouseArea { anchors.fill: parent } // the call screen swallows clicks meant for the app below

    Rectangle { // the other call, on hold
        objectName: "heldCallLine"
        visible: screen.twoCalls
        x: 24; y: 58; width: parent.width - 48; height: 40; radius: 12
        color: Qt.rgba(1, 1, 1, 0.12)
        Text { x: 14; anchors.verticalCenter: parent.verticalCenter; text: screen.phone.heldCall.name || ""; color: "white"; font.family: Theme.font; font.pixelSize: 15; font.weight: Font.DemiBold; width: parent.width - 110; elide: Text.ElideRight }
        Text { anchors.right: parent.right; anchors.rightMargin: 14; anchors.verticalCenter: parent.verticalCenter; text: "on hold"; color: Qt.rgba(1, 1, 1, 0.7); font.family: Theme.font; font.pixelSize: 15 }
    }
    Column {
        id: header
        anchors.horizontalCenter: parent.horizontalCenter
        y: screen.twoCalls ? 116 : 96
        width: parent.width - 48
        spacing: 6
        Text {
            objectName: "callName"
            width: parent.width
            horizontalAlignment: Text.AlignHCenter
            text: screen.keypadShown && screen.dtmf ? screen.dtmf : (screen.call.name || "")
            color: "white"; font.family: Theme.font; font.pixelSize: 32; font.weight: Font.Normal
            fontSizeMode: Text.HorizontalFit; minimumPixelSize: 18; elide: Text.ElideLeft
        }
        Row {
            anchors.horizontalCenter: parent.horizontalCenter
            spacing: 6
            Icon { objectName: "conferenceInfo"; visible: screen.phone.isConference; width: 18; height: 18; name: "info"; color: "white"; strokeWidth: 1.6
                MouseArea { anchors.fill: parent; anchors.margins: -8; onClicked: screen.conferenceShown = true } }
            Icon { objectName: "encryptedBadge"; visible: !!screen.call.encrypted; width: 16; height: 16
                anchors.verticalCenter: parent.verticalCenter; name: "lock"; color: Qt.rgba(1, 1, 1, 0.75) }
            Text {
                objectName: "callStatus"
                text: screen.call.statusText || ""
                color: Qt.rgba(1, 1, 1, 0.75); font.family: Theme.font; font.pixelSize: 17
                font.features: { "tnum": 1 }
            }
        }
        Rectangle {
            objectName: "qualityBadge"
            anchors.horizontalCenter: parent.horizontalCenter
            visible: (screen.call.qualityText || "") !== ""
            height: 22; radius: 11; width: qRow.width + 16
            color: Qt.rgba(0, 0, 0, 0.25)
            Row {
                id: qRow; anchors.centerIn: parent; spacing: 5
                Rectangle { anchors.verticalCenter: parent.verticalCenter; width: 7; height: 7; radius: 3.5
                    color: screen.call.qualityLevel === "good" ? Theme.green : screen.call.qualityLevel === "fair" ? "#FFCC00" : Theme.red }
                Text { text: screen.call.qualityText || ""; color: "white"; font.family: Theme.font; font.pixelSize: 12; font.weight: Font.Medium }
            }
        }
        Text {
            objectName: "audioWarning"
            visible: !screen.phone.audioAvailable
            width: parent.width; horizontalAlignment: Text.AlignHCenter; wrapMode: Text.Wrap
            text: "Audio unavailable" + (screen.phone.audioReason ? ": " + screen.phone.audioReason : "")
            color: "#FFB340"; font.family: Theme.font; font.pixelSize: 14; font.weight: Font.Medium
        }
    }
    Grid {
        id: controls
        objectName: "callControls"
        anchors.horizontalCenter: parent.horizontalCenter
        y: 430
        columns: 3; columnSpacing: 30; rowSpacing: 22
        visible: !screen.keypadShown
        opacity: visible ? 1 : 0
        Behavior on opacity { NumberAnimation { duration: 200 } }
        CircleButton { objectName: "muteButton"; icon: "mic.slash"; label: "mute"; checked: !!screen.call.muted
            onClicked: screen.phone.setMuted(screen.call.uuid, !screen.call.muted)
            onPressAndHold: screen.phone.setHeld(screen.call.uuid, !screen.call.onHold) }
        CircleButton { objectName: "keypadButton"; icon: "keypad"; label: "keypad"; onClicked: screen.keypadShown = true }
        CircleButton { objectName: "audioButton"; icon: screen.phone.audioRouteKind === "bluetooth" ? "bluetooth" : screen.phone.audioRouteKind === "headset" ? "headphones" : "speaker"
            label: "audio"; checked: screen.phone.audioRouteKind === "speaker"
            onClicked: screen.routesShown = true }
        CircleButton { objectName: screen.twoCalls ? "mergeButton" : "addCallButton"; icon: screen.twoCalls ? "merge" : "plus"
            label: screen.twoCalls ? "merge calls" : "add call"
            onClicked: screen.twoCalls ? screen.phone.merge() : screen.addCallRequested() }
        CircleButton { objectName: screen.twoCalls ? "swapButton" : "faceTimeButton"; icon: screen.twoCalls ? "swap" : "video"
            label: screen.twoCalls ? "swap" : "FaceTime"; enabled: screen.twoCalls; onClicked: screen.phone.swap() }
        CircleButton { objectName: "contactsButton"; icon: "person.circle"; label: "contacts"; onClicked: screen.contactsRequested() }
    }
    signal addCallRequested()
    signal contactsRequested()
    KeyGrid {
        objectName: "callKeypad"
        anchors.horizontalCenter: parent.horizontalCenter
        y: 300
        dark: true
        visible: screen.keypadShown
        onDigit: (d) => screen.typeDigit(d)
    }
    Rectangle {
        objectName: "onHoldBadge"
        visible: !!screen.call.onHold
        anchors.horizontalCenter: parent.horizontalCenter
        y: 380; width: 96; height: 28; radius: 14; color: Qt.rgba(1, 1, 1, 0.2)
        Row { anchors.centerIn: parent; spacing: 4
            Icon { width: 12; height: 12; name: "pause"; color: "white"; anchors.verticalCenter: parent.verticalCenter }
            Text { text: "on hold"; color: "white"; font.family: Theme.font; font.pixelSize: 13; font.weight: Font.DemiBold } }
    }
    CircleButton {
        objectName: "endButton"
        anchors.horizontalCenter: parent.horizontalCenter
        y: 700
        icon: "phone"; iconSize: 38
        fill: Theme.red; pressedFill: "#FF8A82"
        iconRotation: 135
        onClicked: screen.phone.end(screen.call.uuid)
    }
    Text {
        objectName: "hideKeypad"
        visible: screen.keypadShown
        x: parent.width / 2 + 78; y: 727
        text: "Hide"; color: "white"; font.family: Theme.font; font.pixelSize: 17
        MouseArea { anchors.fill: parent; anchors.margins: -10; onClicked: screen.keypadShown = false }
    }
    Text { // the app's own menu entry (CallKit draws no transfer button)
        objectName: "transferButton"
        visible: !screen.keypadShown && (screen.call.state === "active" || screen.call.state === "held")
        x: parent.width / 2 - 78 - width; y: 727
        text: "Transfer…"; color: "white"; font.family: Theme.font; font.pixelSize: 17
        MouseArea { anchors.fill: parent; anchors.margins: -10; onClicked: screen.transferShown = true }
    }
    AudioRouteSheet { anchors.fill: parent; phone: screen.phone; shown: screen.routesShown; onClose: screen.routesShown = false }
    TransferSheet { anchors.fill: parent; phone: screen.phone; shown: screen.transferShown; onClose: screen.transferShown = false }
    ConferenceList { anchors.fill: parent; phone: screen.phone; visible: screen.conferenceShown; onClose: screen.conferenceShown = false }
}
