// Routing must agree with Kinesis: MD5 of the key as a big-endian 128-bit
// integer, even hash-key ranges. Expected shards computed with Python's hashlib.

@testable import SpateLog
import Testing

@Suite struct PartitionRouterTests {
    @Test func hashKeyRangesAreKinesisRanges() {
        let two = PartitionRouter(shardCount: 2)
        #expect(two.hashKeyRange(ofShard: 0) == 0...(UInt128(1) << 127 - 1))
        #expect(two.hashKeyRange(ofShard: 1) == (UInt128(1) << 127)...UInt128.max)
        let three = PartitionRouter(shardCount: 3)
        let third: UInt128 = 113_427_455_640_312_821_154_458_202_477_256_070_485
        #expect(three.hashKeyRange(ofShard: 0).upperBound == third - 1)
        #expect(three.hashKeyRange(ofShard: 1) == third...(2 * third - 1))
        #expect(three.hashKeyRange(ofShard: 2).upperBound == UInt128.max)
        #expect(PartitionRouter(shardCount: 1).hashKeyRange(ofShard: 0) == 0...UInt128.max)
    }

    @Test func keysRouteAsHashlibSays() {
        // key: (shard of 2, shard of 3, shard of 5)
        let expected: [String: (Int, Int, Int)] = [
            "user1": (0, 0, 0), "user274": (0, 1, 1), "a": (0, 0, 0),
            "partition-key-42": (0, 0, 1), String(repeating: "x", count: 100): (1, 2, 3),
        ]
        for (key, shards) in expected {
            #expect(PartitionRouter(shardCount: 2).shard(forKey: key) == shards.0, "\(key) of 2")
            #expect(PartitionRouter(shardCount: 3).shard(forKey: key) == shards.1, "\(key) of 3")
            #expect(PartitionRouter(shardCount: 5).shard(forKey: key) == shards.2, "\(key) of 5")
        }
    }

    @Test func everyHashKeyHasExactlyOneShard() {
        for n in [1, 2, 3, 7, 16, 1024] {
            let router = PartitionRouter(shardCount: n)
            #expect(router.shard(forHashKey: 0) == 0)
            #expect(router.shard(forHashKey: .max) == n - 1)
            for i in 1..<n {
                let start = router.hashKeyRange(ofShard: i).lowerBound
                #expect(router.shard(forHashKey: start) == i)
                #expect(router.shard(forHashKey: start - 1) == i - 1)
            }
        }
    }
}
