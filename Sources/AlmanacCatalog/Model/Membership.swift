extension Catalog {
    /// The teams of the person a sign-in names, matched as Backstage's sign-in resolvers do: a
    /// User whose name is the username, or whose profile e-mail is the e-mail. Teams are the
    /// Groups the User lists in `memberOf` and those that list the User in `members`.
    public func teams(username: String?, email: String?) -> [String] {
        let user = people.first { person in
            (username.map { $0 == person.ref.name } ?? false) || (email.map { $0.lowercased() == person.email?.lowercased() } ?? false)
        }
        guard let user else { return [] }
        let listing = entities.values.filter { $0.ref.kind == .group && $0.members.contains(user.ref) }.map(\.ref)
        return Set(user.memberOf + listing).map(\.name).sorted()
    }
}
