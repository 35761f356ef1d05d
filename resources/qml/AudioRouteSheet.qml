import QtQuick

// The audio route picker (iPhone, Speaker, headset, Bluetooth) as an action sheet.
Item {
    id: sheet
    required property var phone
    property bool shown: false
    signal close()
    visible: shown || card.y < height
    Rectangle { anchors.fill: parent; color: "black"; opacity: sheet.shown ? 0.35 : 0
        Behavior on opacity { NumberAnimation { duration: 250 } }
        MouseArea { anchors.fill: parent; enabled: sheet.shown; onClicked: sheet.close() } }
    Rectangle {
        id: card
        objectName: "audioRouteSheet"
        x: 8; width: parent.width - 16
        height: list.height + 16
        radius: 14; color: "#F2F2F7"
        y: sheet.shown ? sheet.height - height - 30 : sheet.height
        Behavior on y { NumberAnimation { duration: 300; easing.type: Easing.OutCubic } }
        Column {
            id: list
            y: 8; width: parent.width
            Repeater {
                model: sheet.phone.audioRoutes
                Item {
                    objectName: "route_" + modelData.deviceId
                    width: list.width; height: 54
                    Icon { x: 18; anchors.verticalCenter: parent.verticalCenter; width: 24; height: 24; color: "black"; strokeWidth: 1.7
                        name: modelData.kind === "speaker" ? "speaker" : modelData.kind === "bluetooth" ? "bluetooth" : modelData.kind === "headset" ? "headphones" : "iphone" }
                    Text { x: 56; anchors.verticalCenter: parent.verticalCenter; text: modelData.name; font.family: Theme.font; font.pixelSize: 17 }
                    Icon { visible: modelData.selected; anchors.right: parent.right; anchors.rightMargin: 18; anchors.verticalCenter: parent.verticalCenter
                        width: 20; height: 20; name: "checkmark"; color: Theme.blue; strokeWidth: 2.4 }
                    Rectangle { visible: index > 0; x: 56; width: parent.width - 56; height: 0.5; color: Theme.separator }
                    MouseArea { anchors.fill: parent; onClicked: { sheet.phone.setAudioRoute(modelData.deviceId); sheet.close() } }
                }
            }
        }
    }
}
