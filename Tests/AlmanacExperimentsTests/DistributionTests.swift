import AlmanacExperiments
import Testing

/// The distributions against scipy's figures (the values gbstats reads), to 1e-12 relative.
@Suite struct DistributionTests {
    static func same(_ ours: Double, _ scipy: Double) -> Bool { abs(ours - scipy) <= 1e-12 * max(1, abs(scipy)) }

    @Test func normal() {
        #expect(Self.same(Normal.ppf(0.975), 1.959963984540054))
        #expect(Self.same(Normal.ppf(1e-10), -6.361340902404056))
        #expect(Self.same(Normal.cdf(-3.2), 0.0006871379379158471))
        #expect(Normal.ppf(0.5) == 0)
    }

    @Test func studentT() {
        #expect(Self.same(StudentT.ppf(0.975, dof: 7.5), 2.333039626864974))
        // A million degrees of freedom (a t-test of 1,000,000 users a side): within 1e-11.
        #expect(abs(StudentT.ppf(0.975, dof: 1e6) - 1.959966356814107) < 1e-11)
        #expect(Self.same(StudentT.cdf(-2.1, dof: 3.3), 0.05914304014595388))
        #expect(abs(StudentT.twoSided(4.0, dof: 12.7) - 0.001580534318398108) < 1e-15)
        #expect(Self.same(StudentT.ppf(0.025, dof: 7.5), -2.333039626864974))
    }

    @Test func chiSquare() {
        #expect(Self.same(ChiSquare.sf(16.0, dof: 1), 6.334248366623988e-05))
        #expect(Self.same(ChiSquare.sf(3.0, dof: 2), 0.22313016014842982))
        #expect(Self.same(ChiSquare.sf(0.5, dof: 5), 0.9921232932326296))
    }

    /// The issue's own figures: a 50/50 plan seen as 10,400 / 9,600 is broken, 10,030 / 9,970 is not.
    @Test func sampleRatioMismatch() {
        #expect(Lift.sampleRatioMismatch(users: [10_400, 9_600], weights: [0.5, 0.5]) < 0.001)
        #expect(Lift.sampleRatioMismatch(users: [10_030, 9_970], weights: [0.5, 0.5]) > 0.001)
        #expect(Lift.sampleRatioMismatch(users: [0, 0], weights: [0.5, 0.5]) == 1)
    }
}
