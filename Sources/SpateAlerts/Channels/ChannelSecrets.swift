// What of a channel may be printed back. Webhook headers carry credentials
// (`Authorization: Bearer …`, API keys), so wherever a channel is shown (SHOW
// CHANNELS) each header keeps its name and loses its value; the catalog table
// `channels` offers SELECT neither the headers nor the CREATE CHANNEL text
// that holds them, nor a PagerDuty channel's routing key. Delivery reads them
// from the catalog, which is owner-only.

public enum ChannelSecrets {
    /// The value shown in place of a header's value.
    public static let mask = "***"

    /// 'Authorization: Bearer ab; X-Team: fraud' → 'Authorization: ***; X-Team: ***'.
    public static func maskedHeaders(_ text: String) -> String {
        ChannelDelivery.parseHeaders(text).map { "\($0.0): \(mask)" }.joined(separator: "; ")
    }

    /// Columns of the catalog table `channels` that SELECT must not read.
    public static let secretColumns: Set<String> = ["headers", "definition", "routing_key"]
}
