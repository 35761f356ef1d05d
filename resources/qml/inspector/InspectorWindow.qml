import QtQuick
import QtQuick.Controls.Fusion
import QtQuick.Dialogs
import QtQuick.Layouts

// The Inspector: CallKit timeline + push log | SIP ladder | detail, linked by selection.
ApplicationWindow {
    id: win
    required property QtObject inspector
    width: 1440
    height: 880
    minimumWidth: 900
    minimumHeight: 520
    visible: true
    title: "Softphone Inspector"
    font.family: "Inter"
    font.pixelSize: 13
    color: "#f3f3f5"

    property string statusMessage: ""

    header: ToolBar {
        objectName: "toolbar"
        padding: 6
        RowLayout {
            anchors.fill: parent
            spacing: 8
            Label { text: "Call"; leftPadding: 4 }
            ComboBox {
                objectName: "callPicker"
                Layout.preferredWidth: 360
                model: win.inspector.callLabels
                currentIndex: win.inspector.currentCallIndex
                onActivated: (index) => win.inspector.setCurrentCallIndex(index)
            }
            TextField {
                objectName: "filterField"
                Layout.preferredWidth: 240
                placeholderText: "Filter events (kind, text, id)"
                text: win.inspector.filterText
                onTextEdited: win.inspector.setFilterText(text)
            }
            CheckBox {
                objectName: "problemsOnly"
                text: "Problems only"
                checked: win.inspector.problemsOnly
                onToggled: win.inspector.setProblemsOnly(checked)
            }
            Item { Layout.fillWidth: true }
            Label {
                objectName: "counts"
                text: win.inspector.countsText
                color: "#55575d"
            }
            Button {
                objectName: "clearButton"
                text: "Clear"
                ToolTip.visible: hovered
                ToolTip.text: "Start a new session: forget every event, message and push"
                onClicked: win.inspector.clearSession()
            }
            Button {
                objectName: "exportJsonButton"
                text: "Export JSON…"
                onClicked: { exportDialog.fmt = "json"; exportDialog.open() }
            }
            Button {
                objectName: "exportHtmlButton"
                text: "Export HTML…"
                onClicked: { exportDialog.fmt = "html"; exportDialog.open() }
            }
        }
    }

    SplitView {
        anchors.fill: parent
        orientation: Qt.Horizontal

        SplitView {
            orientation: Qt.Vertical
            SplitView.preferredWidth: 500
            SplitView.minimumWidth: 320
            TimelinePane {
                SplitView.fillHeight: true
                SplitView.minimumHeight: 160
                inspector: win.inspector
            }
            PushPane {
                SplitView.preferredHeight: 190
                SplitView.minimumHeight: 90
                inspector: win.inspector
            }
        }
        LadderPane {
            SplitView.fillWidth: true
            SplitView.minimumWidth: 300
            inspector: win.inspector
        }
        DetailPane {
            SplitView.preferredWidth: 390
            SplitView.minimumWidth: 220
            inspector: win.inspector
        }
    }

    footer: Label {
        objectName: "statusBar"
        visible: win.statusMessage !== ""
        text: win.statusMessage
        padding: 6
        color: "#3a3a3c"
        background: Rectangle { color: "#e8e8ed" }
    }

    Connections {
        target: win.inspector
        function onExportDone(message) { win.statusMessage = message }
    }

    FileDialog {
        id: exportDialog
        property string fmt: "json"
        fileMode: FileDialog.SaveFile
        nameFilters: fmt === "json" ? ["JSON session (*.json)"] : ["HTML report (*.html)"]
        defaultSuffix: fmt
        onAccepted: win.inspector.exportToUrl(selectedFile, fmt)
    }
}
