namespace Thresher.Core.Data;

/// <summary>
/// One IDX file as it was read. <see cref="Sha256"/> is the hash of the bytes on disk (what `sha256sum`
/// prints); <see cref="ContentSha256"/> the hash of the IDX bytes after gunzip (equal to Sha256 for a raw
/// file), so a .gz copy of MNIST still verifies against the published hashes. Hashes are lowercase hex.
/// </summary>
public sealed record DatasetFile(string Path, long Bytes, bool Compressed, string Sha256, string ContentSha256);
