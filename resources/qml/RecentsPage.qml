import QtQuick

// Recents tab: All/Missed, missed in red, direction glyph, time or date, (i) details, tap to call back.
Item {
    id: page
    required property var phone
    required property var recents
    signal showDetails(int row, var entry)

    Segmented {
        objectName: "recentsFilter"
        anchors.horizontalCenter: parent.horizontalCenter
        y: 58
        width: 190
        namePrefix: "filter_"
        options: [{ value: "all", label: "All" }, { value: "missed", label: "Missed" }]
        value: page.recents ? page.recents.filter : "all"
        onPicked: (v) => { if (page.recents) page.recents.filter = v }
    }
    Text {
        objectName: "recentsClear"
        anchors.right: parent.right; anchors.rightMargin: 16; y: 62
        text: "Clear"; color: Theme.blue; font.family: Theme.font; font.pixelSize: 17
        MouseArea { anchors.fill: parent; onClicked: if (page.recents) page.recents.clearAll() }
    }
    LargeTitle { id: title; y: 98; text: "Recents" }
    ListView {
        id: list
        objectName: "recentsList"
        anchors.top: title.bottom; anchors.topMargin: 8
        anchors.left: parent.left; anchors.right: parent.right; anchors.bottom: parent.bottom
        clip: true
        model: page.recents
        delegate: Item {
            id: row
            required property int index
            required property string displayName
            required property string handle
            required property int count
            required property bool isMissed
            required property string direction
            required property string timeText
            required property string status
            objectName: "recentRow_" + index
            width: list.width
            height: 58
            Rectangle { anchors.fill: parent; color: tap.pressed ? Theme.gray5 : "white" }
            Icon {
                x: 14; anchors.verticalCenter: parent.verticalCenter
                width: 14; height: 14; name: "arrow.outgoing"; color: Theme.gray
                visible: row.direction === "outgoing"
            }
            Column {
                x: 36; anchors.verticalCenter: parent.verticalCenter
                width: parent.width - 150
                Text {
                    objectName: "recentName"
                    width: parent.width
                    text: (row.displayName || page.phone.formatNumber(row.handle)) + (row.count > 1 ? " (" + row.count + ")" : "")
                    color: row.isMissed ? Theme.red : "black"
                    font.family: Theme.font; font.pixelSize: 17; font.weight: Font.DemiBold
                    elide: Text.ElideRight
                }
                Text { text: row.status; color: Theme.secondary; font.family: Theme.font; font.pixelSize: 14 }
            }
            MouseArea { id: tap; anchors.fill: parent; onClicked: page.phone.dial(row.handle) }
            Text {
                anchors.right: info.left; anchors.rightMargin: 10; anchors.verticalCenter: parent.verticalCenter
                text: row.timeText; color: Theme.secondary; font.family: Theme.font; font.pixelSize: 15
            }
            Icon {
                id: info
                objectName: "recentInfo_" + row.index
                anchors.right: parent.right; anchors.rightMargin: 16; anchors.verticalCenter: parent.verticalCenter
                width: 23; height: 23; name: "info"; color: Theme.blue; strokeWidth: 1.6
                MouseArea {
                    anchors.fill: parent; anchors.margins: -8
                    onClicked: page.showDetails(row.index, { displayName: row.displayName, handle: row.handle, status: row.status })
                }
            }
            Rectangle { x: 36; anchors.bottom: parent.bottom; width: parent.width - 36; height: 0.5; color: Theme.separator }
        }
    }
}
