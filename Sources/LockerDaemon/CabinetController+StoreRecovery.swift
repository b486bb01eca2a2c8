import LockerCore

extension CabinetController {
    /// The store was damaged and moved aside at start: this database knows nothing of the parcels
    /// in the cabinet. Every door is quarantined (no deposit into a door that may hold a parcel,
    /// no pickup by a code this record never issued) until a technician has looked and enabled
    /// it, and the alarm goes upstream with where the old database was kept.
    ///
    /// Power failure: one transaction; before it commits the next start finds a healthy (new)
    /// database without this record and without the quarantine, which is why the daemon keeps the
    /// moved-aside files (and logs them critically) rather than relying on this alone.
    func storeWasMovedAside(to path: String, reason: String) {
        let compartments = model.compartments
        guard let updated = commit("store moved aside", { tx -> [Compartment] in
            try tx.append(CustodyEvent(.storeMovedAside, payload: [
                "moved_to": .string(path), "reason": .string(reason), "doors_quarantined": .int(Int64(compartments.count)),
            ]))
            var changed: [Compartment] = []
            for compartment in compartments {
                var c = try tx.compartment(compartment.id)
                c.state = .quarantined
                c.quarantineReason = "the database was damaged and moved aside (\(path)): check what this door holds, then enable it"
                try tx.update(c)
                try tx.append(CustodyEvent(.compartmentQuarantined, compartmentID: c.id, payload: [
                    "label": .string(c.label), "reason": .string(c.quarantineReason ?? ""),
                ]))
                changed.append(c)
            }
            return changed
        }) else { return }
        for compartment in updated { model.replace(compartment) }
    }
}
