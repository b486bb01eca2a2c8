import LockerCore

extension CabinetConfiguration {
    /// The expected time to open a door by guessing codes that a configuration must give, at full
    /// occupancy and the fastest rate the lockout allows (README, "Access").
    static let minimumYearsToGuess = 100.0

    /// The keypad guard's policy this configuration describes.
    var attemptPolicy: CodeAttemptGuard.Policy {
        CodeAttemptGuard.Policy(
            freeAttempts: wrongCodesBeforeLockout, baseLockoutSeconds: firstLockoutSeconds,
            maximumLockoutSeconds: maximumLockoutSeconds)
    }

    /// Expected years to open one of this cabinet's doors by guessing when every door holds a parcel.
    var expectedYearsToGuessAtFullOccupancy: Double { yearsToGuessAtFullOccupancy(codeLength: pickupCodeLength) }

    /// The same for codes of `codeLength` digits under this configuration's lockout.
    func yearsToGuessAtFullOccupancy(codeLength: Int) -> Double {
        CodeAttemptGuard.expectedYearsToGuess(codeLength: codeLength, occupiedDoors: compartments.count, policy: attemptPolicy)
    }

    /// The code length a file that leaves `pickupCodeLength` out gets: 8 digits (fewer keys for
    /// residents than a longer code), or the fewest digits up to 12 that give a century with every
    /// one of this cabinet's doors occupied under its lockout (a 39-door cabinet gets 9).
    var shortestCodeLengthForACentury: Int {
        guard (1...10).contains(wrongCodesBeforeLockout), (1...3_600).contains(maximumLockoutSeconds) else { return 8 }
        return (8...12).first { yearsToGuessAtFullOccupancy(codeLength: $0) >= Self.minimumYearsToGuess } ?? 12
    }

    /// Refuses code lengths and lockouts that let a guesser in within a century. The same check runs
    /// on the server's changes (`wrongCodesBeforeLockout` and `maximumLockoutSeconds` may be changed
    /// remotely), so no remote change can weaken a cabinet below the goal either.
    func guessingProblems() -> [String] {
        // Other checks already name a code length or lockout outside its range; the arithmetic of
        // values that are out of range would only add noise.
        guard (4...12).contains(pickupCodeLength), (1...10).contains(wrongCodesBeforeLockout),
              (1...3_600).contains(maximumLockoutSeconds), !compartments.isEmpty else { return [] }
        let years = expectedYearsToGuessAtFullOccupancy
        guard years < Self.minimumYearsToGuess else { return [] }
        let perDay = Int(CodeAttemptGuard.maximumGuessesPerDay(policy: attemptPolicy).rounded())
        return ["pickupCodeLength \(pickupCodeLength) with maximumLockoutSeconds \(Int(maximumLockoutSeconds)) and "
            + "wrongCodesBeforeLockout \(wrongCodesBeforeLockout) lets a guesser open one of \(compartments.count) "
            + "occupied doors in \(Self.yearsText(years)) on average (\(perDay) wrong codes a day); at least "
            + "\(Int(Self.minimumYearsToGuess)) years are required: use more digits (pickupCodeLength 8 gives "
            + "\(Self.yearsText(yearsToGuessAtFullOccupancy(codeLength: 8)))) "
            + "or a longer maximumLockoutSeconds"]
    }

    private static func yearsText(_ years: Double) -> String {
        years < 10 ? "\((years * 10).rounded() / 10) years" : "\(Int(years.rounded())) years"
    }
}
