import QtQuick

// Full-screen incoming call: slide to answer when locked, Accept/Decline when unlocked,
// and the call-waiting choices (End & Accept, Hold & Accept, Decline) during another call.
Rectangle {
    id: screen
    objectName: "incomingScreen"
    required property var phone
    readonly property var call: phone.incomingCall
    readonly property bool waiting: phone.callWaiting
    readonly property bool slider: phone.locked && !waiting
    gradient: Gradient {
        GradientStop { position: 0; color: "#3A4150" }
        GradientStop { position: 1; color: "#14161B" }
    }
    MouseArea { anchors.fill: parent }

    Column {
        anchors.horizontalCenter: parent.horizontalCenter
        y: 96; width: parent.width - 48; spacing: 6
        Text { objectName: "incomingName"; width: parent.width; horizontalAlignment: Text.AlignHCenter
            text: screen.call.name || ""; color: "white"; font.family: Theme.font; font.pixelSize: 34
            fontSizeMode: Text.HorizontalFit; minimumPixelSize: 20 }
        Text { objectName: "incomingSubtitle"; width: parent.width; horizontalAlignment: Text.AlignHCenter
            text: screen.call.statusText || ""; color: Qt.rgba(1, 1, 1, 0.7); font.family: Theme.font; font.pixelSize: 17 }
        Text { visible: !!screen.call.hasName; width: parent.width; horizontalAlignment: Text.AlignHCenter
            text: screen.call.number || ""; color: Qt.rgba(1, 1, 1, 0.5); font.family: Theme.font; font.pixelSize: 15 }
    }
    Row {
        anchors.horizontalCenter: parent.horizontalCenter
        y: screen.waiting ? 470 : screen.slider ? 600 : 560
        spacing: 130
        CircleButton { objectName: "remindMeButton"; icon: "clock"; label: "Remind Me"; diameter: 50; iconSize: 24; onClicked: screen.phone.decline(screen.call.uuid) }
        CircleButton { objectName: "messageButton"; icon: "message"; label: "Message"; diameter: 50; iconSize: 24; onClicked: screen.phone.decline(screen.call.uuid) }
    }
    SlideToAnswer {
        visible: screen.slider
        anchors.horizontalCenter: parent.horizontalCenter
        y: 720
        animate: !screen.phone.reduceMotion
        onAnswered: screen.phone.answer(screen.call.uuid)
    }
    Row {
        visible: !screen.slider && !screen.waiting
        anchors.horizontalCenter: parent.horizontalCenter
        y: 680; spacing: 130
        CircleButton { objectName: "declineButton"; icon: "phone"; iconRotation: 135; label: "Decline"; fill: Theme.red; pressedFill: "#FF8A82"; iconSize: 38
            onClicked: screen.phone.decline(screen.call.uuid) }
        CircleButton { objectName: "acceptButton"; icon: "phone"; label: "Accept"; fill: Theme.green; pressedFill: "#7BD88F"; iconSize: 38
            onClicked: screen.phone.answer(screen.call.uuid) }
    }
    Grid {
        visible: screen.waiting
        anchors.horizontalCenter: parent.horizontalCenter
        y: 590; columns: 2; columnSpacing: 130; rowSpacing: 26
        CircleButton { objectName: "endAndAcceptButton"; icon: "phone"; label: "End & Accept"; fill: Theme.green; pressedFill: "#7BD88F"; iconSize: 38
            onClicked: screen.phone.endAndAccept(screen.call.uuid) }
        Item { width: 78; height: 1 }
        CircleButton { objectName: "declineButton"; icon: "phone"; iconRotation: 135; label: "Decline"; fill: Theme.red; pressedFill: "#FF8A82"; iconSize: 38
            onClicked: screen.phone.decline(screen.call.uuid) }
        CircleButton { objectName: "holdAndAcceptButton"; icon: "phone"; label: "Hold & Accept"; fill: Theme.green; pressedFill: "#7BD88F"; iconSize: 38
            onClicked: screen.phone.holdAndAccept(screen.call.uuid) }
    }
}
