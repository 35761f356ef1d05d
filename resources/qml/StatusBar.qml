import QtQuick

// Status bar: clock, SIP registration state, Do Not Disturb and lock toggles.
Item {
    id: bar
    required property var phone
    property bool dark: false
    readonly property color ink: dark ? "white" : "black"
    height: 50


    Text {
        objectName: "statusTime"
        x: 34
        anchors.verticalCenter: parent.verticalCenter
        text: bar.phone.timeText
        color: bar.ink
        font.family: Theme.font
        font.pixelSize: 16
        font.weight: Font.DemiBold
    }
    Row {
        anchors.right: parent.right
        anchors.rightMargin: 22
        anchors.verticalCenter: parent.verticalCenter
        spacing: 8
        Rectangle {
            objectName: "registrationStatus"
            property string state_: bar.phone.registrationState
            anchors.verticalCenter: parent.verticalCenter
            height: 20
            radius: 10
            width: regRow.width + 14
            color: state_ === "registered" ? "transparent" : state_ === "failed" ? Theme.red : Qt.rgba(0.5, 0.5, 0.5, 0.25)
            Row {
                id: regRow
                anchors.centerIn: parent
                spacing: 4
                Rectangle {
                    anchors.verticalCenter: parent.verticalCenter
                    width: 7; height: 7; radius: 3.5
                    color: parent.parent.state_ === "registered" ? Theme.green : parent.parent.state_ === "failed" ? "white" : Theme.orange
                }
                Text {
                    text: bar.phone.registrationText
                    color: parent.parent.state_ === "failed" ? "white" : bar.ink
                    font.family: Theme.font
                    font.pixelSize: 12
                    font.weight: Font.DemiBold
                    elide: Text.ElideRight
                    width: Math.min(implicitWidth, 150)
                }
            }
        }
        Icon {
            objectName: "dndToggle"
            anchors.verticalCenter: parent.verticalCenter
            width: 17; height: 17
            name: "moon"
            color: bar.phone.doNotDisturb ? "#5E5CE6" : bar.ink
            opacity: bar.phone.doNotDisturb ? 1 : 0.3
            MouseArea { anchors.fill: parent; anchors.margins: -6; onClicked: bar.phone.setDoNotDisturb(!bar.phone.doNotDisturb) }
        }
        Icon {
            objectName: "lockToggle"
            anchors.verticalCenter: parent.verticalCenter
            width: 17; height: 17
            name: bar.phone.locked ? "lock" : "lock.open"
            color: bar.ink
            MouseArea { anchors.fill: parent; anchors.margins: -6; onClicked: bar.phone.setLocked(!bar.phone.locked) }
        }
        Rectangle { // battery
            anchors.verticalCenter: parent.verticalCenter
            width: 25; height: 12; radius: 3.5
            color: "transparent"
            border.color: Qt.rgba(bar.ink.r, bar.ink.g, bar.ink.b, 0.4)
            Rectangle { x: 2; y: 2; width: 17; height: 8; radius: 2; color: bar.ink }
        }
    }
}
