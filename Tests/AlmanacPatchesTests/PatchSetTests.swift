import Testing

@testable import AlmanacPatches

@Suite struct PatchSetTests {
    @Test func patchesInOrderWithTheirVerdicts() throws {
        let set = try PatchSet.read(
            folder: "database/patches",
            files: [
                (name: "0002-index.sql", text: "CREATE INDEX CONCURRENTLY i ON t (a);\n"), (name: "README.md", text: "not a patch"),
                (name: "0001-table.sql", text: "BEGIN;\nCREATE TABLE t (a int);\nCOMMIT;\n"),
            ])
        #expect(set.patches.map(\.name) == ["0001-table", "0002-index"])
        #expect(set.patches.map(\.verdict) == [.hot, .hot] && set.patches.map(\.transactional) == [true, false])
        #expect(set.patches[0].runnable.map(\.statement.text) == ["CREATE TABLE t (a int)"], "BEGIN and COMMIT are the runner's")
    }

    @Test(
        arguments: [
            ([(name: "add-table.sql", text: "SELECT 1;")], "database/patches/add-table.sql:0: a patch is named NNNN-what-it-does.sql"),
            (
                [(name: "0001-a.sql", text: "SELECT 1;"), (name: "001-b.sql", text: "SELECT 1;")],
                "database/patches/001-b.sql:0: number 1 is also database/patches/0001-a.sql"
            ),
            ([(name: "0001-a.sql", text: "SELECT 1;\n\nSELEC 2;")], "database/patches/0001-a.sql:3: syntax error at or near \"SELEC\""),
            ([(name: "0001-a.sql", text: "-- nothing\n")], "database/patches/0001-a.sql:1: no statement"),
        ])
    func badPatchesSayWhere(files: [(name: String, text: String)], message: String) {
        do {
            _ = try PatchSet.read(folder: "database/patches", files: files)
            Issue.record("must fail: \(message)")
        } catch {
            #expect(error.description.hasPrefix(message), "\(error.description)")
        }
    }

    @Test func aSqitchPlanAsSqitchWritesIt() throws {
        let plan = """
            %syntax-version=1.0.0
            %project=shop

            appschema 2026-12-07T03:00:00Z Ann Dev <ann@example.org> # Adds the schema.
            products [appschema] 2026-12-07T03:01:00Z Ann Dev <ann@example.org> # Adds products.
            @v1.0 2026-12-07T03:02:00Z Ann Dev <ann@example.org> # Tag v1.0.
            """
        let (project, changes) = try SqitchPlan.parse(plan, file: "shop/sqitch.plan")
        #expect(project == "shop" && changes.map(\.name) == ["appschema", "products"] && changes[1].requires == ["appschema"])
        #expect(changes[1].note == "Adds products." && changes[1].line == 5)
        let set = try PatchSet.read(
            sqitch: "shop", plan: plan,
            scripts: [
                "deploy/appschema.sql": "BEGIN;\nCREATE SCHEMA shop;\nCOMMIT;\n", "deploy/products.sql": "CREATE TABLE shop.products (id int);\n",
                "verify/products.sql": "BEGIN;\nSELECT id FROM shop.products WHERE false;\nROLLBACK;\n",
            ])
        #expect(set.patches.map(\.name) == ["appschema", "products"] && set.patches.map(\.number) == [1, 2])
        #expect(set.patches[1].verify.map(\.text) == ["SELECT id FROM shop.products WHERE false"])
        #expect(throws: PatchSet.Problem.self) { try PatchSet.read(sqitch: "shop", plan: plan, scripts: [:]) }
    }
}
