import QtQuick

// Settings: accounts, audio devices, codecs, transport, DTMF, push, device toggles.
Rectangle {
    id: page
    objectName: "settingsPage"
    required property var phone
    property var lab: null
    property var draft: ({})
    signal close()
    color: Theme.grouped
    function load() { phone.reloadSettings(); draft = JSON.parse(JSON.stringify(phone.settings)) }
    function next(list, current) { return list.length ? list[(list.indexOf(current) + 1) % list.length] : current }
    function edit(fn) { var d = JSON.parse(JSON.stringify(draft)); fn(d); draft = d }
    MouseArea { anchors.fill: parent }

    component Section: Text {
        x: 32; color: Theme.secondary; font.family: Theme.font; font.pixelSize: 13
    }
    component Card: Rectangle {
        default property alias content: inner.children
        x: 16; width: page.width - 32; radius: 10; color: "white"
        height: inner.height
        Column { id: inner; width: parent.width }
    }
    component Row_: Item {
        property alias title: t.text
        property alias detail: d.text
        width: parent ? parent.width : 0; height: 44
        Text { id: t; x: 16; anchors.verticalCenter: parent.verticalCenter; font.family: Theme.font; font.pixelSize: 17; width: Math.min(implicitWidth, parent.width - 120); elide: Text.ElideRight }
        Text { id: d; anchors.right: parent.right; anchors.rightMargin: 16; anchors.verticalCenter: parent.verticalCenter; color: Theme.secondary; font.family: Theme.font; font.pixelSize: 15
            width: Math.min(implicitWidth, parent.width - t.width - 48); horizontalAlignment: Text.AlignRight; elide: Text.ElideRight }
    }

    Text { anchors.horizontalCenter: parent.horizontalCenter; y: 60; text: "Settings"; font.family: Theme.font; font.pixelSize: 17; font.weight: Font.DemiBold }
    Text { x: 16; y: 60; text: "Cancel"; color: Theme.blue; font.family: Theme.font; font.pixelSize: 17
        MouseArea { objectName: "settingsCancel"; anchors.fill: parent; anchors.margins: -8; onClicked: page.close() } }
    Text { anchors.right: parent.right; anchors.rightMargin: 16; y: 60; text: "Save"; color: Theme.blue; font.family: Theme.font; font.pixelSize: 17; font.weight: Font.DemiBold
        MouseArea { objectName: "settingsSave"; anchors.fill: parent; anchors.margins: -8; onClicked: if (page.phone.applySettings(page.draft)) page.close() } }

    Flickable {
        anchors.fill: parent; anchors.topMargin: 96
        contentHeight: body.height + 40
        clip: true
        Column {
            id: body
            width: page.width; spacing: 8
            Section { text: "ACCOUNTS" }
            Card {
                Repeater {
                    model: page.draft.accounts || []
                    Row_ {
                        objectName: "account_" + modelData.id
                        title: modelData.label + "  " + modelData.uri
                        IosSwitch { objectName: "accountSwitch_" + modelData.id; anchors.right: parent.right; anchors.rightMargin: 16; anchors.verticalCenter: parent.verticalCenter
                            checked: modelData.enabled; onToggled: (on) => page.edit(function (d) { d.accounts[index].enabled = on }) }
                    }
                }
                Row_ { title: "Registration"; detail: page.phone.registrationText }
            }
            Section { text: "AUDIO" }
            Card {
                Row_ { objectName: "settingsInput"; title: "Microphone"; detail: page.draft.audio ? page.draft.audio.input : ""
                    MouseArea { anchors.fill: parent; onClicked: page.edit(function (d) { d.audio.input = page.next(d.audio.inputs, d.audio.input) }) } }
                Row_ { objectName: "settingsOutput"; title: "Speaker"; detail: page.draft.audio ? page.draft.audio.output : ""
                    MouseArea { anchors.fill: parent; onClicked: page.edit(function (d) { d.audio.output = page.next(d.audio.outputs, d.audio.output) }) } }
                Row_ { title: "Status"; detail: page.phone.audioAvailable ? "Available" : ("Unavailable: " + page.phone.audioReason) }
            }
            Section { text: "CODECS" }
            Card {
                Repeater {
                    model: page.draft.codecs || []
                    Row_ {
                        title: modelData.name
                        IosSwitch { objectName: "codecSwitch_" + modelData.name; anchors.right: parent.right; anchors.rightMargin: 16; anchors.verticalCenter: parent.verticalCenter
                            checked: modelData.enabled; onToggled: (on) => page.edit(function (d) { d.codecs[index].enabled = on }) }
                    }
                }
            }
            Section { text: "TRANSPORT" }
            Segmented {
                objectName: "transportControl"; x: 16; width: page.width - 32; namePrefix: "transport_"
                options: [{ value: "udp", label: "UDP" }, { value: "tcp", label: "TCP" }, { value: "tls", label: "TLS" }]
                value: page.draft.transport || "udp"
                onPicked: (v) => page.edit(function (d) { d.transport = v })
            }
            Section { text: "DTMF" }
            Segmented {
                objectName: "dtmfControl"; x: 16; width: page.width - 32; namePrefix: "dtmf_"
                options: [{ value: "rfc4733", label: "RFC 4733" }, { value: "info", label: "SIP INFO" }]
                value: page.draft.dtmf_method || "rfc4733"
                onPicked: (v) => page.edit(function (d) { d.dtmf_method = v })
            }
            Section { text: "PUSH (VOIP)" }
            Card {
                Row_ { title: "VoIP Push"
                    IosSwitch { objectName: "pushSwitch"; anchors.right: parent.right; anchors.rightMargin: 16; anchors.verticalCenter: parent.verticalCenter
                        checked: page.draft.push ? page.draft.push.enabled : false; onToggled: (on) => page.edit(function (d) { d.push.enabled = on }) } }
                Row_ { title: "Environment"; detail: page.draft.push ? page.draft.push.environment : "" }
            }
            Section { text: "DEVICE" }
            Card {
                Row_ { title: "Do Not Disturb"
                    IosSwitch { objectName: "settingsDnd"; anchors.right: parent.right; anchors.rightMargin: 16; anchors.verticalCenter: parent.verticalCenter
                        checked: page.phone.doNotDisturb; onToggled: (on) => page.phone.setDoNotDisturb(on) } }
                Row_ { title: "Lock Screen"
                    IosSwitch { objectName: "settingsLock"; anchors.right: parent.right; anchors.rightMargin: 16; anchors.verticalCenter: parent.verticalCenter
                        checked: page.phone.locked; onToggled: (on) => page.phone.setLocked(on) } }
            }
            LabSection { page: page; lab: page.lab; visible: page.lab !== null }
        }
    }
}
