import QtQuick
import QtQuick.Window

Window {
    id: root
    required property string appVersion
    required property string profile
    width: 390
    height: 844
    minimumWidth: 300
    minimumHeight: 650
    visible: true
    color: "#ffffff"
    title: "Softphone" + (profile !== "default" ? " — " + profile : "")

    Text {
        objectName: "welcome"
        anchors.centerIn: parent
        horizontalAlignment: Text.AlignHCenter
        font.family: "Inter"
        font.pixelSize: 17
        color: "#8e8e93"
        text: "Softphone " + root.appVersion
    }
}
