from mmpose_mlehand.utils.machine import cpu_model_and_flags


def test_cpu_model_and_flags_read_the_first_cpu(tmp_path):
    cpuinfo = tmp_path / 'cpuinfo'
    cpuinfo.write_text('processor\t: 0\nmodel name\t: AMD EPYC 9R14\n'
                       'flags\t\t: fpu avx2 avx512f\n\n'
                       'processor\t: 1\nmodel name\t: other\nflags\t\t: fpu\n')
    assert cpu_model_and_flags(str(cpuinfo)) == ('AMD EPYC 9R14', {'fpu', 'avx2', 'avx512f'})
    assert cpu_model_and_flags(str(tmp_path / 'missing')) == (None, set())
    (tmp_path / 'bare').write_text('processor\t: 0\n')
    assert cpu_model_and_flags(str(tmp_path / 'bare')) == (None, set())
