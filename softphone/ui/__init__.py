"""Qt view-models for the Qt Quick screens in ``resources/qml``."""
