// The domain speaks in the assignment core's sizes and temperature classes.
@_exported public import LockerAssignment
