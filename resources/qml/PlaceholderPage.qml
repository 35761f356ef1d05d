import QtQuick

// Favorites and Voicemail: honest placeholders.
Item {
    property alias title: heading.text
    property alias message: body.text
    property alias icon: glyph.name
    LargeTitle { id: heading; y: 98 }
    Column {
        anchors.centerIn: parent
        spacing: 12
        width: parent.width - 64
        Icon { id: glyph; anchors.horizontalCenter: parent.horizontalCenter; width: 48; height: 48; color: Theme.gray3 }
        Text { id: body; objectName: "placeholderText"; width: parent.width; horizontalAlignment: Text.AlignHCenter; wrapMode: Text.Wrap; color: Theme.secondary; font.family: Theme.font; font.pixelSize: 17 }
    }
}
