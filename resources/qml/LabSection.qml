import QtQuick

// The QA lab in Settings: push console, fault injection, session export, diagnostics.
Column {
    id: section
    required property var page
    property var lab: null
    width: page.width; spacing: 8

    component Action: Item {
        property alias title: label.text
        property alias detail: hint.text
        property string action: ""
        signal triggered()
        width: parent ? parent.width : 0; height: 44
        id: row
        Rectangle { anchors.fill: parent; color: area.pressed ? Theme.gray5 : "transparent" }
        Rectangle { visible: !row.Positioner.isLastItem; x: 16; anchors.bottom: parent.bottom; width: parent.width - 16; height: 0.5; color: Theme.separator }
        Text { id: label; x: 16; anchors.verticalCenter: parent.verticalCenter; color: Theme.blue; font.family: Theme.font; font.pixelSize: 17 }
        Text { id: hint; anchors.right: parent.right; anchors.rightMargin: 16; anchors.verticalCenter: parent.verticalCenter; color: Theme.secondary; font.family: Theme.font; font.pixelSize: 15 }
        MouseArea { id: area; anchors.fill: parent; onClicked: parent.action ? section.lab.run(parent.action) : parent.triggered() }
    }
    component Card: Rectangle {
        default property alias content: inner.children
        x: 16; width: section.width - 32; radius: 10; color: "white"
        height: inner.height
        Column { id: inner; width: parent.width }
    }

    Text { x: 32; text: "PUSH CONSOLE"; color: Theme.secondary; font.family: Theme.font; font.pixelSize: 13 }
    Card {
        Action { objectName: "labPreset"; title: "Payload format"; detail: section.lab ? section.lab.preset : ""; onTriggered: section.lab.nextPreset() }
        // On: the simulated caller's INVITE follows the push (a call that can be answered).
        Action { objectName: "labFollowCall"; title: "Caller's INVITE Follows"; detail: section.lab ? (section.lab.followWithCall ? "On" : "Off") : ""; onTriggered: section.lab.toggleFollowWithCall() }
        Action { objectName: "labSendPush"; title: "Send VoIP Push to This Phone"; action: "push" }
        // A payload of one's own (JSON), e.g. a malformed one to see the app's reaction.
        Item {
            width: parent ? parent.width : 0; height: payloadEdit.contentHeight + 24
            Rectangle { x: 16; width: parent.width - 16; height: 0.5; color: Theme.separator }
            TextEdit {
                id: payloadEdit
                objectName: "labPayload"
                x: 16; y: 12; width: parent.width - 32
                wrapMode: TextEdit.WrapAnywhere; selectByMouse: true
                font.family: "monospace"; font.pixelSize: 13; color: Theme.label
                Text { visible: !parent.text && !parent.activeFocus; text: "Custom payload (JSON), e.g. {\"aps\": {}, \"caller\": \"Ann\"}"; color: Theme.gray3; font: parent.font; width: parent.width; wrapMode: Text.Wrap }
            }
        }
        Action { objectName: "labSendPayload"; title: "Send Custom Payload"; onTriggered: section.lab.sendPayload(payloadEdit.text) }
    }
    Text { x: 32; text: "FAULTS"; color: Theme.secondary; font.family: Theme.font; font.pixelSize: 13 }
    Card {
        Action { objectName: "labSuspend"; title: "Suspend App"; action: "suspend-app" }
        Action { objectName: "labForeground"; title: "Bring App to Foreground"; action: "foreground-app" }
        Action { objectName: "labForget"; title: "Forget Next Push Report"; action: "forget-push-report" }
        Action { objectName: "labStall"; title: "Never Fulfil Next Action"; action: "stall-next-action" }
        Action { objectName: "labCellular"; title: "Cellular Call (5 s)"; action: "cellular-call" }
        Action { objectName: "labDuplicateUuid"; title: "Reuse Call UUID Next"; action: "duplicate-uuid" }
        Action { objectName: "labNetworkLoss"; title: "Network Loss (10 s)"; action: "network-loss" }
        Action { objectName: "labNetworkRestore"; title: "Restore Network Now"; action: "network-restore" }
        Action { objectName: "labReinstall"; title: "Reinstall App"; action: "reinstall-app" }
        Action { objectName: "labPushDelay"; title: "Delayed Push (2 s)"; action: "push-delay" }
        Action { objectName: "labPushDuplicate"; title: "Duplicate Push"; action: "push-duplicate" }
        Action { objectName: "labPushReorder"; title: "Reordered Pushes"; action: "push-reorder" }
        Action { objectName: "labPushExpired"; title: "Push After Expiry"; action: "push-expired" }
        Action { objectName: "labInviteTimeout"; title: "INVITE Never Comes (2 s)"; action: "invite-timeout" }
        Action { objectName: "labOneGroup"; title: "One Call Group Only"; action: "max-call-groups" }
    }
    Text { x: 32; text: "REPORTS"; color: Theme.secondary; font.family: Theme.font; font.pixelSize: 13 }
    Card {
        Action { objectName: "labExport"; title: "Export Session (HTML)"; action: "export" }
        Action { objectName: "labDiagnostics"; title: "Copy Diagnostics"; onTriggered: section.lab.copyDiagnostics() }
    }
    Text {
        objectName: "labResult"
        x: 32; width: section.width - 64; wrapMode: Text.Wrap
        text: section.lab ? (section.lab.busy ? "Working…" : section.lab.result) : ""
        color: Theme.secondary; font.family: Theme.font; font.pixelSize: 13
    }
}
