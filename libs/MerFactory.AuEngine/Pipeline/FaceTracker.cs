using OpenCvSharp;

namespace MerFactory.AuEngine.Pipeline;

/// <summary>
/// Gives faces stable ids across frames by greedy box overlap (IoU) with each track's last box.
/// A track not seen for <see cref="MaxMissedFrames"/> analysed frames is retired; a later face gets a new id.
/// </summary>
public sealed class FaceTracker(double minOverlap = 0.3, int maxMissedFrames = 30)
{
    private readonly List<Track> _tracks = [];
    private int _nextId;

    public int MaxMissedFrames => maxMissedFrames;

    private sealed class Track(int id, Rect2d box, int frame)
    {
        public int Id { get; } = id;
        public Rect2d Box { get; set; } = box;
        public int LastFrame { get; set; } = frame;
    }

    /// <summary>Track ids for <paramref name="boxes"/> in the given (increasing) analysed-frame sequence number.</summary>
    public int[] Assign(IReadOnlyList<Rect2d> boxes, int sequence)
    {
        _tracks.RemoveAll(t => sequence - t.LastFrame > maxMissedFrames);
        var ids = new int[boxes.Count];
        Array.Fill(ids, -1);
        var pairs = new List<(double Iou, int Box, Track Track)>();
        for (var b = 0; b < boxes.Count; b++)
            foreach (var track in _tracks)
            {
                var iou = Iou(boxes[b], track.Box);
                if (iou >= minOverlap) pairs.Add((iou, b, track));
            }
        var usedTracks = new HashSet<Track>();
        foreach (var (_, b, track) in pairs.OrderByDescending(p => p.Iou))
        {
            if (ids[b] != -1 || usedTracks.Contains(track)) continue;
            ids[b] = track.Id;
            usedTracks.Add(track);
            track.Box = boxes[b];
            track.LastFrame = sequence;
        }
        for (var b = 0; b < boxes.Count; b++)
        {
            if (ids[b] != -1) continue;
            var track = new Track(_nextId++, boxes[b], sequence);
            _tracks.Add(track);
            ids[b] = track.Id;
        }
        return ids;
    }

    public static double Iou(Rect2d a, Rect2d b)
    {
        var x1 = Math.Max(a.X, b.X);
        var y1 = Math.Max(a.Y, b.Y);
        var x2 = Math.Min(a.X + a.Width, b.X + b.Width);
        var y2 = Math.Min(a.Y + a.Height, b.Y + b.Height);
        var inter = Math.Max(0, x2 - x1) * Math.Max(0, y2 - y1);
        var union = a.Width * a.Height + b.Width * b.Height - inter;
        return union <= 0 ? 0 : inter / union;
    }
}
