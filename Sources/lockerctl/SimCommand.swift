import ArgumentParser
import LockerMaintenanceProtocol

struct Sim: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one line of the simulated cabinet's front-panel language.",
        discussion: """
            The words are joined into one line, e.g. `lockerctl sim force A01`, `lockerctl sim wait 30`, \
            `lockerctl sim press 482913`. Put `--` before words that start with a dash.
            Only a daemon running the simulated cabinet accepts it.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The front-panel command and its arguments.", valueName: "word"))
    var words: [String]

    func validate() throws {
        guard !words.isEmpty else { throw ValidationError("sim needs a front-panel command, e.g. `sim show`") }
    }

    func run() throws {
        let response = try MaintenanceSession.perform(
            MaintenanceRequest(command: .sim, line: words.joined(separator: " ")), options: global)
        guard !global.json else { return }
        for line in response.output ?? [] {
            TerminalOutput.write(line)
        }
    }
}
