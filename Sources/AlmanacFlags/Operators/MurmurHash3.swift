/// MurmurHash3 x86_32, the hash flagd buckets users with. Written here because none of the
/// packages on hand provides it (swift-crypto has only cryptographic hashes), and it is 30 lines.
public enum MurmurHash3 {
    /// The 32-bit hash of `bytes` with `seed`.
    public static func hash32<Bytes: Collection<UInt8>>(_ bytes: Bytes, seed: UInt32 = 0) -> UInt32 {
        let c1: UInt32 = 0xcc9e_2d51
        let c2: UInt32 = 0x1b87_3593
        var h = seed
        var block: UInt32 = 0
        var filled = 0
        var length: UInt32 = 0
        for byte in bytes {
            block |= UInt32(byte) << (8 * UInt32(filled))
            filled += 1
            length &+= 1
            if filled == 4 {
                var k = block &* c1
                k = (k << 15 | k >> 17) &* c2
                h ^= k
                h = (h << 13 | h >> 19) &* 5 &+ 0xe654_6b64
                block = 0
                filled = 0
            }
        }
        if filled > 0 {
            var k = block &* c1
            k = (k << 15 | k >> 17) &* c2
            h ^= k
        }
        h ^= length
        h ^= h >> 16
        h &*= 0x85eb_ca6b
        h ^= h >> 13
        h &*= 0xc2b2_ae35
        h ^= h >> 16
        return h
    }
}
