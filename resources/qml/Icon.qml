import QtQuick
import QtQuick.Shapes
import "Icons.js" as Icons

// One of the project's own vector icons, recoloured and scaled crisply at any DPI.
Item {
    id: icon
    property string name
    property color color: "black"
    property real strokeWidth: 2
    readonly property var glyph: Icons.get(name)
    implicitWidth: 24
    implicitHeight: 24

    Shape {
        anchors.centerIn: parent
        width: 24
        height: 24
        scale: Math.min(icon.width, icon.height) / 24
        preferredRendererType: Shape.CurveRenderer
        ShapePath {
            fillColor: icon.glyph.fill ? icon.color : "transparent"
            strokeColor: "transparent"
            PathSvg { path: icon.glyph.fill || "M0 0" }
        }
        ShapePath {
            fillColor: "transparent"
            strokeColor: icon.glyph.stroke ? icon.color : "transparent"
            strokeWidth: icon.strokeWidth
            capStyle: ShapePath.RoundCap
            joinStyle: ShapePath.RoundJoin
            PathSvg { path: icon.glyph.stroke || "M0 0" }
        }
    }
}
